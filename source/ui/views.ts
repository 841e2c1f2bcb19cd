/**
 * Which keys are in force: the table of what is on screen (the focused pane, the filter field,
 * an overlay at its stage) as read-only mode and the cluster allow. The router, the footer and
 * the `?` help all read these, so a key is shown exactly where it works.
 */
import { availableActions } from './actions.js';
import { APPROVALS_TABLES, approvalsTable } from './components/ApprovalsView.keys.js';
import { COMMAND_KEYS } from './components/CommandLine.keys.js';
import { CONFIRM_TABLES, confirmTable } from './components/ConfirmDialog.keys.js';
import { DETAILS_KEYS } from './components/DetailsView.keys.js';
import { FLEET_KEYS } from './components/FleetView.keys.js';
import { HELP_KEYS } from './components/HelpOverlay.keys.js';
import { LOG_DETAILS_KEYS } from './components/LogDetails.keys.js';
import { PANE_KEYS } from './components/Panes.keys.js';
import { QUIT_KEYS, STOPPING_KEYS } from './components/QuitDialog.keys.js';
import { ROLLBACK_TABLES, rollbackTable } from './components/RollbackDialog.keys.js';
import { FILTER_KEYS, OVERLAY_FILTER_KEYS } from './components/ServicesPane.keys.js';
import { TEXT_KEYS } from './components/TextView.keys.js';
import { WHY_KEYS } from './components/WhyView.keys.js';
import { ctrl, type Binding, type KeyView } from './keymap.js';
import { isOverlayList, type ConsoleState, type Pane } from './model/state.js';

export interface KeyMode {
  /** Read-only mode or a viewer who is not an operator: no key that changes anything. */
  readOnly: boolean;
  /** Read-only mode: the approvals view has no approve / reject keys (approvers need not be operators). */
  decisionsReadOnly: boolean;
  /** A cluster is connected: the actions that need one have keys. */
  cluster: boolean;
}

/** A view's whole table: what `inForce` filters by mode. */
export interface KeyTable extends KeyView {
  /** Its mutating keys are approvals' decisions (hidden by `decisionsReadOnly`, not `readOnly`). */
  decisions?: boolean;
}

/** Keys that work in every view, after the view's own. */
export const GLOBAL_KEYS: readonly Binding[] = [
  {
    id: 'interrupt',
    keys: [ctrl('c')],
    label: 'quit',
    help: 'quit (asks first while a step runs)',
    run: (ctx) => ctx.quit(),
  },
];

const GLOBAL_TABLE: KeyTable = { where: 'everywhere', bindings: GLOBAL_KEYS };

const cache = new WeakMap<KeyTable, Map<string, KeyView>>();

/** The table without the keys the mode hides (mutating ones in read-only mode, actions not available). */
export function inForce(table: KeyTable, mode: KeyMode): KeyView {
  const id = `${mode.readOnly}/${mode.decisionsReadOnly}/${mode.cluster}`;
  let views = cache.get(table);
  if (!views) cache.set(table, (views = new Map()));
  let view = views.get(id);
  if (!view) {
    const available = availableActions({ cluster: mode.cluster });
    const hidden = table.decisions ? mode.decisionsReadOnly : mode.readOnly;
    const bindings = table.bindings.filter((b) => (b.action === undefined || available.has(b.action)) && !(hidden && b.mutating));
    view = { ...table, bindings };
    views.set(id, view);
  }
  return view;
}

const paneCache = new WeakMap<KeyView, Map<Pane, KeyView>>();

/** The panes' keys that apply in `pane`. */
export function paneKeys(pane: Pane, mode: KeyMode): KeyView {
  const all = inForce(PANE_KEYS, mode);
  let panes = paneCache.get(all);
  if (!panes) paneCache.set(all, (panes = new Map()));
  let view = panes.get(pane);
  if (!view) {
    view = { ...all, bindings: all.bindings.filter((b) => b.panes === undefined || b.panes.includes(pane)) };
    panes.set(pane, view);
  }
  return view;
}

function tableOf(state: ConsoleState): KeyTable | undefined {
  if (state.command !== undefined) return COMMAND_KEYS;
  if (state.filterEditing) return isOverlayList(state.filterList) ? OVERLAY_FILTER_KEYS : FILTER_KEYS;
  const o = state.overlay;
  switch (o?.kind) {
    case undefined:
      return state.view === 'fleet' ? FLEET_KEYS : undefined;
    case 'help':
      return HELP_KEYS;
    case 'details':
      return DETAILS_KEYS;
    case 'log-details':
      return LOG_DETAILS_KEYS;
    case 'quit':
      return o.stopping ? STOPPING_KEYS : QUIT_KEYS;
    case 'text':
      return TEXT_KEYS;
    case 'confirm':
      return confirmTable(o);
    case 'rollback':
      return rollbackTable(o);
    case 'approvals':
      return approvalsTable(o);
    case 'why':
      return WHY_KEYS;
  }
}

/** The whole table of what is on screen, before the mode hides keys (why a key did nothing). */
export function keyTableOf(state: ConsoleState): KeyTable {
  return tableOf(state) ?? PANE_KEYS;
}

/** The keys of what is on screen now. */
export function keyViewOf(state: ConsoleState, mode: KeyMode): KeyView {
  const table = tableOf(state);
  return table ? inForce(table, mode) : paneKeys(state.focus, mode);
}

/** Every view's keys in force, for the help: the panes' and the global ones first. */
export function allKeyViews(mode: KeyMode): KeyView[] {
  const tables = [
    PANE_KEYS,
    GLOBAL_TABLE,
    FLEET_KEYS,
    COMMAND_KEYS,
    FILTER_KEYS,
    OVERLAY_FILTER_KEYS,
    HELP_KEYS,
    DETAILS_KEYS,
    LOG_DETAILS_KEYS,
    TEXT_KEYS,
    ...CONFIRM_TABLES,
    ...ROLLBACK_TABLES,
    ...APPROVALS_TABLES,
    QUIT_KEYS,
    STOPPING_KEYS,
    WHY_KEYS,
  ];
  return tables.map((t) => inForce(t, mode));
}
