/** `?`: scrolling the help, closing it. */
import { char, movementKeys, moved, named, withOverlay } from '../keymap.js';
import { helpRows } from '../render/help-row.js';
import type { KeyTable } from '../views.js';

export const HELP_KEYS: KeyTable = {
  where: 'help (?)',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 5),
      (ctx, to) => withOverlay(ctx, 'help', (help) => ctx.update(help, { index: moved(help.index, to, helpRows(ctx.mode()).length) })),
      { footer: true },
    ),
    { id: 'help:close', keys: [named('escape', 'Esc'), char('?'), char('q')], label: 'close', help: 'close', footer: true, run: (ctx) => ctx.close() },
  ],
};
