/** w on a service: why it fails; the keys scroll, re-read and go back. */
import { char, movementKeys, moved, named, withOverlay } from '../keymap.js';
import type { KeyTable } from '../views.js';
import { lastWhyTop, wrappedWhyRows } from './WhyView.js';

export const WHY_KEYS: KeyTable = {
  where: 'why',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 3),
      (ctx, to) =>
        withOverlay(ctx, 'why', (v) => {
          const { width, bodyHeight } = ctx.layout();
          const last = lastWhyTop(wrappedWhyRows(v, width).length, bodyHeight);
          ctx.update(v, { scroll: moved(Math.min(v.scroll, last), to, last + 1) });
        }),
      { footer: true },
    ),
    { id: 'why:reread', keys: [char('R')], label: 'read again', help: 'read the events, pods and logs again', footer: true, run: (ctx) => withOverlay(ctx, 'why', (v) => ctx.openWhy(v)) },
    { id: 'why:close', keys: [named('escape', 'Esc'), char('q')], label: 'back', help: 'back to the panes', footer: true, run: (ctx) => ctx.close() },
  ],
};
