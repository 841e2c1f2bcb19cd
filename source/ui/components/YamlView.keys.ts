/** y: scrolling the live object's YAML, going back. */
import { char, movementKeys, named, withOverlay } from '../keymap.js';
import type { KeyTable } from '../views.js';
import { yamlWindow } from './YamlView.js';

export const YAML_KEYS: KeyTable = {
  where: 'yaml',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 4),
      (ctx, to) =>
        withOverlay(ctx, 'yaml', (o) => {
          const { width, bodyHeight } = ctx.layout();
          const { maxTop } = yamlWindow(o.lines, width, bodyHeight, 0);
          const top = to === 'top' ? 0 : to === 'bottom' ? maxTop : Math.max(0, Math.min(maxTop, o.top + to));
          ctx.update(o, { top });
        }),
      { footer: true },
    ),
    { id: 'yaml:close', keys: [named('escape', 'Esc'), char('q'), char('y')], label: 'back', help: 'back to the panes', footer: true, run: (ctx) => ctx.close() },
  ],
};
