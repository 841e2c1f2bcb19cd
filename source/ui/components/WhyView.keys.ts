/** w on a service: why it fails; the keys scroll, re-read and go back. */
import { char, movementKeys, moved, named, withOverlay } from '../keymap.js';
import { filterOf } from '../model/selectors.js';
import type { KeyTable } from '../views.js';
import { clearFilterOr, filterListKey } from './ServicesPane.keys.js';
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
          const filter = filterOf(ctx.state(), 'why');
          const last = lastWhyTop(wrappedWhyRows(v, width, filter).length, bodyHeight, filter !== '');
          ctx.update(v, { scroll: moved(Math.min(v.scroll, last), to, last + 1) });
        }),
      { footer: true },
    ),
    { id: 'why:reread', keys: [char('R')], label: 'read again', help: 'read the events, pods and logs again', footer: true, run: (ctx) => withOverlay(ctx, 'why', (v) => ctx.openWhy(v)) },
    filterListKey('filter the pods, log lines and events: every word typed must be in the line'),
    {
      id: 'why:close',
      keys: [named('escape', 'Esc'), char('q')],
      label: 'back',
      help: 'back to the panes (Esc: clear the filter first)',
      footer: true,
      run: clearFilterOr('why', (ctx) => ctx.close()),
    },
  ],
};
