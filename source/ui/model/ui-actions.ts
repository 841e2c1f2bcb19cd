/**
 * What keys do. The keyboard hook hands every key press here; the binding table of what is on
 * screen (views.ts) routes it to a binding, which calls one of the operations below: state
 * changes and background work. Nothing here waits for a cluster or an engine.
 */
import type { WorkloadDiagnosis } from '../../domain/diagnosis.js';
import type { RegistryAnswer } from '../../pipeline/registry-presence.js';
import type { Core } from '../../core.js';
import { errorMessage } from '../../errors.js';
import type { Approval } from '../../domain/types.js';
import { imagesAsTags } from '../../domain/approvals.js';
import { decideApproval, decideProblem, type Decision } from '../../pipeline/approval-decision.js';
import type { ActionDef, ActionId } from '../actions.js';
import { bindingFor, type KeyInput } from '../keymap.js';
import type { Layout } from '../layout.js';
import { GLOBAL_KEYS, keyViewOf, type KeyMode } from '../views.js';
import type { JobRunner } from './jobs.js';
import type { Action } from './reducer.js';
import { approvalIndex, approvalRows, runningJobs, selectedService, selectedTenant } from './selectors.js';
import type { ApprovalsView, ConfirmDialog, ConsoleState, Overlay, RollbackDialog, WhyView } from './state.js';
import type { ConsoleStore } from './store.js';

/** The rollback pipeline, as far as the dialog needs it. */
export interface RollbackSupport {
  action: ActionDef;
  /** Index in `state.history.versions` of the default target, or -1 when there is none. */
  defaultIndex(state: ConsoleState): number;
  /** Why a version cannot be the target (undefined: it can). */
  refuse(state: ConsoleState, index: number): string | undefined;
  /** What the registry says about the target image, for the confirm step. */
  registryAnswer(image: string): Promise<RegistryAnswer>;
}

export interface UIActionsDeps {
  core: Core;
  store: ConsoleStore;
  /** Read-only mode, and whether a cluster is connected: which keys are in force. */
  mode: () => KeyMode;
  /** Who is at the keyboard: an approval they requested is not theirs to decide. */
  actor: string;
  actions: ReadonlyMap<ActionId, ActionDef>;
  jobs: JobRunner;
  refresh(): void;
  exit(): void;
  layout(): Layout;
  rollback?: RollbackSupport;
  /** Reads why a workload fails from the cluster (undefined: no cluster connected). */
  diagnose?: () => ((workload: WhyView['workload'], namespace: string, name: string) => Promise<WorkloadDiagnosis>) | undefined;
  now?: () => number;
}

/** What a key binding can do: the console's operations. */
export interface KeyContext {
  state(): ConsoleState;
  dispatch(action: Action): void;
  say(text: string, tone?: 'info' | 'ok' | 'error'): void;
  /** The open overlay, changed (it stays of its kind). */
  update<O extends Overlay>(overlay: O, change: Partial<O>): void;
  close(): void;
  layout(): Layout;
  mode(): KeyMode;
  approvalTtlMs: number;
  quit(): void;
  exit(): void;
  refresh(): void;
  startAction(id: ActionId): void;
  /** The confirmation was given: start its action. */
  confirmed(dialog: ConfirmDialog): void;
  /** Enter on a rollback target: the reason comes next, unless the version cannot be chosen. */
  chooseTarget(dialog: RollbackDialog): void;
  /** The reason was given: the confirm step opens, and the registry is asked about the target. */
  toConfirm(dialog: RollbackDialog, reason: string): void;
  /** The rollback was confirmed: start it. */
  rollBack(dialog: RollbackDialog): void;
  openApprovals(): void;
  /** w on a service (or R in the view): read why it fails and show it. */
  openWhy(view?: WhyView): void;
  /** y / n on the approvals list: ask (the confirmation or the reason), unless the store would refuse. */
  beginDecision(view: ApprovalsView, decision: Decision): void;
  /** The approval or the rejection's reason was given: record it. */
  decide(view: ApprovalsView, decision: Decision, reason?: string): void;
}

export interface UIActions {
  /** Every key press goes through here. */
  key(input: string, key: KeyInput): void;
  quit(): void;
}

export function createUIActions(deps: UIActionsDeps): UIActions {
  const { store, jobs } = deps;
  const now = deps.now ?? Date.now;
  const dispatch = store.dispatch;
  const say = (text: string, tone: 'info' | 'ok' | 'error' = 'info') => dispatch({ type: 'message', message: { text, tone, at: now() } });

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
    // A target chosen while another image was live (or before live state came) is being re-read.
    if (history.rollbackTarget && history.rollbackTarget.liveImage !== service.liveImage) {
      return say(`The rollback target of ${service.service} is being read again for the image that runs now; press r again in a moment.`, 'error');
    }
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

  const update = <O extends Overlay>(overlay: O, change: Partial<O>) => dispatch({ type: 'overlay/update', overlay: { ...overlay, ...change } });

  function chooseTarget(dialog: RollbackDialog): void {
    const state = store.getState();
    const why = deps.rollback?.refuse({ ...state, history: { ...state.history, versions: dialog.candidates } }, dialog.index);
    if (why) return say(why, 'error');
    update(dialog, { stage: 'reason' });
  }

  function toConfirm(dialog: RollbackDialog, reason: string): void {
    const opened: RollbackDialog = { ...dialog, stage: 'confirm', reason, registry: undefined };
    update(dialog, { stage: 'confirm', reason, registry: undefined });
    const version = dialog.candidates[dialog.index];
    if (!version || !deps.rollback) return;
    void deps.rollback.registryAnswer(version.fullImageName).then((registry) => {
      // Only into the same confirm step: the operator may have gone back or closed it meanwhile.
      const now = store.getState().overlay;
      if (now?.kind === 'rollback' && now.stage === 'confirm' && now.index === opened.index && now.service === opened.service && now.tenantId === opened.tenantId) update(now, { registry });
    });
  }

  function rollBack(dialog: RollbackDialog): void {
    const state = store.getState();
    dispatch({ type: 'overlay/close' });
    const tenant = state.tenants.find((t) => t.id === dialog.tenantId);
    const service = tenant?.rows.find((r) => r.service === dialog.service);
    const version = dialog.candidates[dialog.index];
    if (!deps.rollback || !tenant || !service || !version) return say('The service is gone from the manifests; nothing was rolled back.', 'error');
    // Confirmed after the step said the registry does not have the image: the override, audited with the reason.
    jobs.start(deps.rollback.action, { tenant, service }, { versionId: version.id, reason: dialog.reason, skipRegistryCheck: dialog.registry?.state === 'missing' });
  }

  // ── why (w) ────────────────────────────────────────────────────────────────────────────

  function openWhy(again?: WhyView): void {
    const diagnose = deps.diagnose?.();
    if (!diagnose) return say('No cluster is connected: there are no events, pods or logs to read.', 'error');
    let view: WhyView;
    if (again) view = { ...again, diagnosis: undefined, error: undefined };
    else {
      const tenant = selectedTenant(store.getState());
      const service = selectedService(store.getState());
      if (!tenant || !service) return say('Select a service first.', 'error');
      view = { kind: 'why', tenantId: tenant.id, namespace: service.namespace, service: service.service, workload: service.kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment', scroll: 0 };
    }
    dispatch({ type: again ? 'overlay/update' : 'overlay/open', overlay: view });
    const same = () => {
      const now = store.getState().overlay;
      return now?.kind === 'why' && now.service === view.service && now.tenantId === view.tenantId ? now : undefined;
    };
    diagnose(view.workload, view.namespace, view.service).then(
      (diagnosis) => {
        const now = same();
        if (now) update(now, { diagnosis });
      },
      (error: unknown) => {
        const now = same();
        if (now) update(now, { error: errorMessage(error) });
      },
    );
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
  function record(decision: Decision, a: Approval, reason?: string): void {
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

  /** The approval under the cursor of the view. */
  function selectedApproval(view: ApprovalsView): Approval | undefined {
    const rows = approvalRows(store.getState(), deps.core.config.approvalTtlMs);
    return rows[approvalIndex(rows, view.selected)];
  }

  function beginDecision(view: ApprovalsView, decision: Decision): void {
    const current = selectedApproval(view);
    if (!current) return say('No approval is recorded.', 'error');
    if (refusal(decision, current)) return;
    update(view, { selected: current.id, stage: decision === 'approved' ? 'approve' : 'reject', reason: '' });
  }

  function decide(view: ApprovalsView, decision: Decision, reason?: string): void {
    const current = selectedApproval(view);
    update(view, { stage: 'list', reason: '' });
    if (!current || current.id !== view.selected) return say('The approval is gone from the store; nothing was decided.', 'error');
    if (!refusal(decision, current)) record(decision, current, reason);
  }

  const ctx: KeyContext = {
    state: store.getState,
    dispatch,
    say,
    update,
    close: () => dispatch({ type: 'overlay/close' }),
    layout: deps.layout,
    mode: deps.mode,
    approvalTtlMs: deps.core.config.approvalTtlMs,
    quit,
    exit: deps.exit,
    refresh: deps.refresh,
    startAction,
    confirmed: confirmDialog,
    chooseTarget,
    toConfirm,
    rollBack,
    openApprovals,
    openWhy,
    beginDecision,
    decide,
  };

  function key(input: string, key: KeyInput): void {
    const view = keyViewOf(store.getState(), deps.mode());
    const binding = bindingFor(view.bindings, input, key) ?? bindingFor(GLOBAL_KEYS, input, key);
    binding?.run(ctx, { input, key });
  }

  return { key, quit };
}
