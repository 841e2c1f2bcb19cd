/** `?`: scrolling the help, filtering it, closing it. */
import { char, movementKeys, moved, named, withOverlay } from '../keymap.js';
import { filterOf } from '../model/selectors.js';
import { visibleHelpRows } from '../render/help-row.js';
import type { KeyTable } from '../views.js';
import { clearFilterOr, filterListKey } from './ServicesPane.keys.js';

export const HELP_KEYS: KeyTable = {
  where: 'help (?)',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 5),
      (ctx, to) => withOverlay(ctx, 'help', (help) => ctx.update(help, { index: moved(help.index, to, visibleHelpRows(ctx.mode(), filterOf(ctx.state(), 'help')).length) })),
      { footer: true },
    ),
    filterListKey('filter the keys: every word typed must be in the key, what it does or where'),
    {
      id: 'help:close',
      keys: [named('escape', 'Esc'), char('?'), char('q')],
      label: 'close',
      help: 'close (Esc: clear the filter first)',
      footer: true,
      run: clearFilterOr('help', (ctx) => ctx.close()),
    },
  ],
};
