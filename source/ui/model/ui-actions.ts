/**
 * What keys do. The keyboard hook hands every key press here; this routes it by what is on
 * screen (a text field, a dialog, an overlay, the panes) and turns it into state changes and
 * background work. Nothing here waits for a cluster or an engine.
 */
import type { Core } from '../../core.js';
import type { Approval } from '../../domain/types.js';
import { imagesAsTags } from '../../domain/approvals.js';
import { decideApproval, decideProblem, type Decision } from '../../pipeline/approval-decision.js';
import type { ActionDef, ActionId } from '../actions.js';
import { bindingFor, type Binding, type KeyInput } from '../keymap.js';
import type { Layout } from '../layout.js';
import { oneLine } from '../text.js';
import type { JobRunner } from './jobs.js';
import { approvalIndex, approvalRows, logRows, runningJobs, selectedService, selectedTenant } from './selectors.js';
import type { ApprovalsView, ConfirmDialog, ConsoleState, Pane, RollbackDialog } from './state.js';
import type { ConsoleStore } from './store.js';

/** The rollback pipeline, as far as the dialog needs it. */
export interface RollbackSupport {
  action: ActionDef;
  /** Index in `state.history.versions` of the default target, or -1 when there is none. */
  defaultIndex(state: ConsoleState): number;
  /** Why a version cannot be the target (undefined: it can). */
  refuse(state: ConsoleState, index: number): string | undefined;
}

export interface UIActionsDeps {
  core: Core;
  store: ConsoleStore;
  /** The bindings in force now. */
  bindings: () => readonly Binding[];
  /** The keys of the approvals view in force (approve and reject hidden in read-only mode). */
  approvalBindings: () => readonly Binding[];
  /** Who is at the keyboard: an approval they requested is not theirs to decide. */
  actor: string;
  actions: ReadonlyMap<ActionId, ActionDef>;
  jobs: JobRunner;
  refresh(): void;
  exit(): void;
  layout(): Layout;
  rollback?: RollbackSupport;
  now?: () => number;
}

export interface UIActions {
  /** Every key press goes through here. */
  key(input: string, key: KeyInput): void;
  /** Run a binding as if its key was pressed. */
  run(binding: Binding): void;
  quit(): void;
}

type Edit = { text: string; submit?: boolean; cancel?: boolean };

/** A one-line text field: printable input appends, Backspace deletes, Enter submits, Esc cancels. */
export function editText(text: string, input: string, key: KeyInput): Edit {
  if (key.return) return { text, submit: true };
  if (key.escape) return { text, cancel: true };
  if (key.backspace || key.delete) return { text: [...text].slice(0, -1).join('') };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return { text };
  return { text: text + oneLine(input) };
}

export function createUIActions(deps: UIActionsDeps): UIActions {
  const { store, jobs } = deps;
  const now = deps.now ?? Date.now;
  const dispatch = store.dispatch;
  const say = (text: string, tone: 'info' | 'ok' | 'error' = 'info') => dispatch({ type: 'message', message: { text, tone, at: now() } });

  const pageSize = (pane: Pane) => Math.max(1, deps.layout().visible[pane] - 1);

  function quit(): void {
    if (runningJobs(store.getState()).length > 0) dispatch({ type: 'overlay/open', overlay: { kind: 'quit' } });
    else deps.exit();
  }

  function targetFor(def: ActionDef, state: ConsoleState) {
    const tenant = selectedTenant(state);
    if (!tenant) return undefined;
    const service = def.scope === 'service' ? selectedService(state) : undefined;
    if (def.scope === 'service' && !service) return undefined;
    return { tenant, service };
  }

  function startAction(id: ActionId): void {
    const def = deps.actions.get(id);
    const state = store.getState();
    if (!def) return;
    if (id === 'rollback') return openRollback(state);
    const target = targetFor(def, state);
    if (!target) return say(def.scope === 'service' ? 'Select a service first.' : 'No tenant is selected.', 'error');
    const busy = def.mutating ? jobs.busyWith(target.tenant.id) : undefined;
    if (busy) return say(`"${busy.title}" is still running on ${target.tenant.id}; wait for it to finish.`, 'error');
    const needsWord = def.confirm !== undefined && target.tenant.protectedNamespaces.length > 0;
    if (def.confirm === 'always' || needsWord) {
      const dialog: ConfirmDialog = {
        kind: 'confirm',
        action: id,
        title: def.question?.(target, deps.core) ?? def.describe(target, deps.core),
        lines: needsWord ? [`${target.tenant.protectedNamespaces.join(', ')} ${target.tenant.protectedNamespaces.length === 1 ? 'is a protected namespace' : 'are protected namespaces'}.`] : [],
        word: needsWord ? target.tenant.id : undefined,
        typed: '',
      };
      dispatch({ type: 'overlay/open', overlay: dialog });
      return;
    }
    jobs.start(def, target);
  }

  function openRollback(state: ConsoleState): void {
    const rollback = deps.rollback;
    const tenant = selectedTenant(state);
    const service = selectedService(state);
    if (!rollback || !tenant || !service) return say('Select a service first.', 'error');
    const history = state.history;
    if (history.service !== service.service || history.tenantId !== tenant.id || (history.loading && history.versions.length === 0)) {
      return say(`The version history of ${service.service} is still loading; press r again in a moment.`, 'error');
    }
    if (history.versions.length === 0) return say(`${service.service} has no registered versions to roll back to.`, 'error');
    const fromHistory = state.focus === 'history' ? state.historyIndex : -1;
    const index = fromHistory >= 0 ? fromHistory : rollback.defaultIndex(state);
    if (index < 0) return say(`No earlier good version of ${tenant.id}/${service.service} to roll back to; to choose one yourself, select it in the history pane and press r.`, 'error');
    const dialog: RollbackDialog = {
      kind: 'rollback',
      stage: 'target',
      tenantId: tenant.id,
      service: service.service,
      candidates: history.versions,
      index,
      reason: '',
      word: tenant.protectedNamespaces.length > 0 ? tenant.id : undefined,
      typed: '',
    };
    dispatch({ type: 'overlay/open', overlay: dialog });
  }

  function confirmDialog(dialog: ConfirmDialog): void {
    dispatch({ type: 'overlay/close' });
    const def = deps.actions.get(dialog.action as ActionId);
    const state = store.getState();
    const target = def ? targetFor(def, state) : undefined;
    if (!def || !target) return say('The selection changed; nothing was started.', 'error');
    jobs.start(def, target);
  }

  function rollbackKey(dialog: RollbackDialog, input: string, key: KeyInput): void {
    const update = (change: Partial<RollbackDialog>) => dispatch({ type: 'overlay/update', overlay: { ...dialog, ...change } });
    const state = store.getState();
    if (dialog.stage === 'target') {
      if (key.escape) return dispatch({ type: 'overlay/close' });
      const delta = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : 0;
      if (delta) return update({ index: Math.max(0, Math.min(dialog.candidates.length - 1, dialog.index + delta)) });
      if (key.return) {
        const why = deps.rollback?.refuse({ ...state, history: { ...state.history, versions: dialog.candidates } }, dialog.index);
        if (why) return say(why, 'error');
        return update({ stage: 'reason' });
      }
      return;
    }
    if (dialog.stage === 'reason') {
      const edit = editText(dialog.reason, input, key);
      if (edit.cancel) return update({ stage: 'target' });
      if (edit.submit) {
        if (!edit.text.trim()) return say('A reason is required: say why you roll back.', 'error');
        return update({ stage: 'confirm', reason: edit.text.trim() });
      }
      return update({ reason: edit.text });
    }
    // confirm
    if (dialog.word !== undefined) {
      const edit = editText(dialog.typed, input, key);
      if (edit.cancel) return update({ stage: 'reason', typed: '' });
      if (!edit.submit) return update({ typed: edit.text });
      if (edit.text !== dialog.word) return say(`Type ${dialog.word} exactly to confirm, or Esc to go back.`, 'error');
    } else {
      if (key.escape || input === 'n') return update({ stage: 'reason' });
      if (!(key.return || input === 'y')) return;
    }
    dispatch({ type: 'overlay/close' });
    const tenant = state.tenants.find((t) => t.id === dialog.tenantId);
    const service = tenant?.rows.find((r) => r.service === dialog.service);
    const version = dialog.candidates[dialog.index];
    if (!deps.rollback || !tenant || !service || !version) return say('The service is gone from the manifests; nothing was rolled back.', 'error');
    jobs.start(deps.rollback.action, { tenant, service }, { versionId: version.id, reason: dialog.reason });
  }

  // ── approvals (a) ──────────────────────────────────────────────────────────────────────

  function openApprovals(): void {
    const rows = approvalRows(store.getState(), deps.core.config.approvalTtlMs);
    // The first pending one is selected (pending ones come first).
    dispatch({ type: 'overlay/open', overlay: { kind: 'approvals', selected: rows[0]?.id, stage: 'list', reason: '' } });
  }

  const approvalTitle = (decision: Decision, a: Approval) => `${decision === 'approved' ? 'approve' : 'reject'} ${a.id} (${a.action} of ${a.tenantId})`;

  /** Refuses at once what the store would refuse (role, own request, decided, expired): no reason typed in vain. */
  function refusal(decision: Decision, a: Approval): string | undefined {
    const problem = decideProblem(deps.core, store.getState().approvals, a.id, deps.actor, decision, now());
    if (problem) jobs.refuse({ action: decision === 'approved' ? 'approve' : 'reject', title: approvalTitle(decision, a), tenantId: a.tenantId }, problem);
    return problem;
  }

  /** Records the decision as `ecp approve` / `ecp reject` would (checked again under the store's lock). */
  function decide(decision: Decision, a: Approval, reason?: string): void {
    jobs.run({
      action: decision === 'approved' ? 'approve' : 'reject',
      title: approvalTitle(decision, a),
      tenantId: a.tenantId,
      work: async (log) => {
        log.step('decide', `${decision === 'approved' ? 'approving' : 'rejecting'} ${a.action} of ${a.tenantId}: ${imagesAsTags(a.images)}`);
        const { approval, actor } = await decideApproval(deps.core, a.id, decision, reason);
        log.ok('decide', `${decision} by ${actor}${reason ? ` (${reason})` : ''}`);
        const key = approval.action === 'deploy' ? 'd / D' : 'u / U';
        return {
          ok: true,
          summary: decision === 'approved' ? `approved by ${actor}; ${key} on ${approval.tenantId} now goes through with it` : `rejected by ${actor}: ${reason}`,
        };
      },
    });
  }

  function approvalsKey(view: ApprovalsView, input: string, key: KeyInput): void {
    const update = (change: Partial<ApprovalsView>) => dispatch({ type: 'overlay/update', overlay: { ...view, ...change } });
    const rows = approvalRows(store.getState(), deps.core.config.approvalTtlMs);
    const index = approvalIndex(rows, view.selected);
    const current = rows[index];
    if (view.stage === 'approve') {
      if (key.escape || input === 'n') return update({ stage: 'list' });
      if (!(key.return || input === 'y')) return;
      update({ stage: 'list' });
      if (!current || current.id !== view.selected) return say('The approval is gone from the store; nothing was decided.', 'error');
      if (!refusal('approved', current)) decide('approved', current);
      return;
    }
    if (view.stage === 'reject') {
      const edit = editText(view.reason, input, key);
      if (edit.cancel) return update({ stage: 'list', reason: '' });
      if (!edit.submit) return update({ reason: edit.text });
      if (!edit.text.trim()) return say('A rejection needs a reason: type why, then Enter (Esc goes back).', 'error');
      update({ stage: 'list', reason: '' });
      if (!current || current.id !== view.selected) return say('The approval is gone from the store; nothing was decided.', 'error');
      if (!refusal('rejected', current)) decide('rejected', current, edit.text.trim());
      return;
    }
    const binding = deps.approvalBindings().find((b) => b.keys.some((k) => k.matches(input, key)));
    if (!binding) return;
    const page = Math.max(1, deps.layout().bodyHeight - 8);
    const moveTo = (i: number) => update({ selected: rows[Math.max(0, Math.min(rows.length - 1, i))]?.id });
    switch (binding.command) {
      case 'up':
        return moveTo(index - 1);
      case 'down':
        return moveTo(index + 1);
      case 'page-up':
        return moveTo(index - page);
      case 'page-down':
        return moveTo(index + page);
      case 'top':
        return moveTo(0);
      case 'bottom':
        return moveTo(rows.length - 1);
      case 'close':
        return dispatch({ type: 'overlay/close' });
      case 'approve':
      case 'reject': {
        const decision: Decision = binding.command === 'approve' ? 'approved' : 'rejected';
        if (!current) return say('No approval is recorded.', 'error');
        if (refusal(decision, current)) return;
        return update({ selected: current.id, stage: decision === 'approved' ? 'approve' : 'reject', reason: '' });
      }
      default:
        return;
    }
  }

  function run(binding: Binding): void {
    const state = store.getState();
    switch (binding.command) {
      case 'up':
        return dispatch({ type: 'move', delta: -1 });
      case 'down':
        return dispatch({ type: 'move', delta: 1 });
      case 'page-up':
        return dispatch({ type: 'move', delta: -pageSize(state.focus) });
      case 'page-down':
        return dispatch({ type: 'move', delta: pageSize(state.focus) });
      case 'top':
        return dispatch({ type: 'move/edge', to: 'top' });
      case 'bottom':
        return dispatch({ type: 'move/edge', to: 'bottom' });
      case 'next-pane':
        return dispatch({ type: 'focus/cycle', delta: 1 });
      case 'prev-pane':
        return dispatch({ type: 'focus/cycle', delta: -1 });
      case 'open-tenant':
        return dispatch({ type: 'focus', pane: 'services' });
      case 'details':
        if (!selectedService(state)) return say('Select a service first.', 'error');
        return dispatch({ type: 'overlay/open', overlay: { kind: 'details' } });
      case 'log-output': {
        const row = logRows(state)[state.logIndex];
        if (!row || row.kind === 'job') return;
        return dispatch({ type: 'overlay/open', overlay: { kind: 'log-details', jobId: row.job.id, stepKey: row.step.key } });
      }
      case 'filter':
        return dispatch({ type: 'filter/open' });
      case 'refresh':
        say('refreshing…');
        return deps.refresh();
      case 'help':
        return dispatch({ type: 'overlay/open', overlay: { kind: 'help', index: 0 } });
      case 'back':
        if (state.filter) return dispatch({ type: 'filter/close', keep: false });
        return dispatch({ type: 'message', message: undefined });
      case 'quit':
        return quit();
      case 'action':
        if (binding.action) startAction(binding.action);
        return;
      case 'approvals':
        return openApprovals();
      case 'approve':
      case 'reject':
      case 'close':
        return; // keys of the approvals view
    }
  }

  function key(input: string, key: KeyInput): void {
    const state = store.getState();
    if (input === 'c' && key.ctrl) {
      if (state.overlay?.kind === 'quit') return deps.exit();
      return quit();
    }
    if (state.filterEditing) {
      const edit = editText(state.filter, input, key);
      if (edit.submit || edit.cancel) return dispatch({ type: 'filter/close', keep: edit.submit === true });
      if (key.upArrow || key.downArrow) return dispatch({ type: 'move', delta: key.upArrow ? -1 : 1 });
      return dispatch({ type: 'filter/set', text: edit.text });
    }
    const overlay = state.overlay;
    if (overlay) {
      switch (overlay.kind) {
        case 'help':
        case 'log-details': {
          if (key.escape || input === 'q' || (overlay.kind === 'help' && input === '?')) return dispatch({ type: 'overlay/close' });
          if (overlay.kind === 'help') {
            const delta = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : key.pageUp ? -10 : key.pageDown ? 10 : 0;
            if (delta) dispatch({ type: 'overlay/update', overlay: { kind: 'help', index: Math.max(0, Math.min(deps.bindings().length + deps.approvalBindings().filter((b) => b.footer).length + 3, overlay.index + delta)) } });
          }
          return;
        }
        case 'details':
          if (key.escape || input === 'q' || key.return) dispatch({ type: 'overlay/close' });
          return;
        case 'quit':
          if (input === 'y' || input === 'q') return deps.exit();
          if (input === 'n' || key.escape) dispatch({ type: 'overlay/close' });
          return;
        case 'confirm': {
          if (overlay.word === undefined) {
            if (input === 'y' || key.return) return confirmDialog(overlay);
            if (input === 'n' || key.escape) dispatch({ type: 'overlay/close' });
            return;
          }
          const edit = editText(overlay.typed, input, key);
          if (edit.cancel) return dispatch({ type: 'overlay/close' });
          if (edit.submit) {
            if (edit.text === overlay.word) return confirmDialog(overlay);
            return say(`Type ${overlay.word} exactly to confirm, or Esc to cancel.`, 'error');
          }
          return dispatch({ type: 'overlay/update', overlay: { ...overlay, typed: edit.text } });
        }
        case 'rollback':
          return rollbackKey(overlay, input, key);
        case 'approvals':
          return approvalsKey(overlay, input, key);
      }
    }
    const binding = bindingFor(deps.bindings(), state.focus, input, key);
    if (binding) run(binding);
  }

  return { key, run, quit };
}
