/** The fleet view's keys: move over cells (↑↓ services, ←→ tenants); the panes' action keys act on the cell's service. */
import { movementKeys, named, type Binding } from '../keymap.js';
import type { KeyTable } from '../views.js';
import { PANE_KEYS, VIEW_KEYS } from './Panes.keys.js';

/** The panes' bindings that mean the same here (every action key, on the cell). */
const SHARED = new Set(['approvals', 'refresh', 'filter', 'help', 'quit']);
const fromPanes: Binding[] = PANE_KEYS.bindings.filter((b) => b.action !== undefined || SHARED.has(b.id)).map((b) => ({ ...b, panes: undefined }));

export const FLEET_KEYS: KeyTable = {
  where: 'fleet',
  firstKeyOnly: true,
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 6),
      (ctx, to) => ctx.dispatch({ type: 'fleet/move', rows: to }),
    ),
    { id: 'fleet:left', keys: [named('leftArrow', '←')], label: 'tenant', help: 'the tenant to the left', footer: true, run: (ctx) => ctx.dispatch({ type: 'fleet/move', tenants: -1 }) },
    { id: 'fleet:right', keys: [named('rightArrow', '→')], label: 'next tenant', help: 'the tenant to the right', run: (ctx) => ctx.dispatch({ type: 'fleet/move', tenants: 1 }) },
    {
      id: 'fleet:open',
      keys: [named('return', 'Enter')],
      label: 'panes',
      help: "the panes on the cell's tenant and service",
      footer: true,
      run: (ctx) => {
        ctx.dispatch({ type: 'view', view: 'panes', back: true });
        ctx.dispatch({ type: 'focus', pane: 'services' });
      },
    },
    ...VIEW_KEYS,
    ...fromPanes,
    {
      id: 'fleet:back',
      keys: [named('escape', 'Esc')],
      label: 'back',
      help: 'clear the filter, else back to the panes',
      run: (ctx) => (ctx.state().filter ? ctx.dispatch({ type: 'filter/close', keep: false }) : ctx.dispatch({ type: 'view', view: 'panes' })),
    },
  ],
};
