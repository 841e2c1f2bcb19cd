/** A text to read (YAML, a diff): scrolling it, going back to where it was opened from. */
import { char, movementKeys, named, overlayOf, withOverlay } from '../keymap.js';
import type { KeyContext } from '../model/ui-actions.js';
import type { KeyTable } from '../views.js';
import { textWindow } from './TextView.js';

function back(ctx: KeyContext): void {
  const from = overlayOf(ctx, 'text')?.back;
  if (from) ctx.dispatch({ type: 'overlay/open', overlay: from });
  else ctx.close();
}

export const TEXT_KEYS: KeyTable = {
  where: 'text (yaml, diff)',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 4),
      (ctx, to) =>
        withOverlay(ctx, 'text', (o) => {
          const { width, bodyHeight } = ctx.layout();
          const { maxTop } = textWindow(o.lines, width, bodyHeight, 0);
          const top = to === 'top' ? 0 : to === 'bottom' ? maxTop : Math.max(0, Math.min(maxTop, o.top + to));
          ctx.update(o, { top });
        }),
      { footer: true },
    ),
    { id: 'text:close', keys: [named('escape', 'Esc'), char('q')], label: 'back', help: 'back to where it was opened from', footer: true, run: back },
  ],
};
