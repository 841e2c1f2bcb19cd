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
import type { LiveDiff } from '../../pipeline/live-diff.js';
import { liveDiffLines } from '../render/live-diff.js';
import { availableActions } from '../actions.js';
import { canBuildAll } from '../../pipeline/build-targets.js';
import { bindingFor, type KeyInput } from '../keymap.js';
import type { Layout } from '../layout.js';
import { GLOBAL_KEYS, keyTableOf, keyViewOf, type KeyMode } from '../views.js';
import type { JobRunner } from './jobs.js';
import type { Action } from './reducer.js';
import { approvalIndex, approvalRows, runningJobs, selectedService, selectedTenant, selectedVersion, selectionProblem } from './selectors.js';
import type { ApprovalsView, ConfirmDialog, ConsoleState, Overlay, PreviewState, RollbackDialog, WhyView } from './state.js';
import type { ConsoleStore } from './store.js';
import { QUIT_CLEANLY, quitOutcome, type ConsoleExit } from './quit-outcome.js';
import { manifestEditCommand, type EditorCommand } from '../../pipeline/edit-manifest.js';

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
  /** Ends the console; `outcome` is what the shell is told and the exit code. */
  exit(outcome: ConsoleExit): void;
  layout(): Layout;
  rollback?: RollbackSupport;
  /** The live object keyed `${namespace}/${name}`, as the cluster last reported it. */
  liveObject?(key: string): object | undefined;
  /** Manifest vs live for a service (the pipeline's dry run); undefined while no cluster is connected. */
  liveDiff?(tenant: string, service: string): Promise<LiveDiff> | undefined;
  /** The environment the editor is chosen from ($VISUAL, $EDITOR). */
  env: NodeJS.ProcessEnv;
  /**
   * Runs `command` in the terminal, the console suspended meanwhile; resolves with why it could
   * not be started, if so. Undefined: there is no terminal to lend (tests render without one).
   */
  runInTerminal?(command: EditorCommand): Promise<string | undefined>;
  /** Reads why a workload fails from the cluster (undefined: no cluster connected). */
  diagnose?: () => ((workload: WhyView['workload'], namespace: string, name: string) => Promise<WorkloadDiagnosis>) | undefined;
  now?: () => number;
}

/** What a key binding can do: the console's operations. */
export interface KeyContext {
  state(): ConsoleState;
  dispatch(action: Action): void;
  /** `about`: what makes the message go (see StatusMessage). */
  say(text: string, tone?: 'info' | 'ok' | 'error', about?: string): void;
  /** The open overlay, changed (it stays of its kind). */
  update<O extends Overlay>(overlay: O, change: Partial<O>): void;
  close(): void;
  layout(): Layout;
  mode(): KeyMode;
  approvalTtlMs: number;
  /** q: quits, or asks first while a step runs. */
  quit(): void;
  /**
   * Quit anyway (in the question): the running jobs are asked to stop at their next safe point
   * and the console ends once they have; asked again meanwhile, it ends at once.
   */
  quitAnyway(): void;
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
  /** y: the selected service's live object as YAML. */
  showYaml(): void;
  /** c: the selected service's manifest vs its live object, with the fields' managers. */
  showLiveDiff(): void;
  /** e: the selected service's manifest file in the operator's editor; re-read after. */
  editManifest(): void;
  /** Tab in a confirm step: its whole manifest diff, Esc back to the step. */
  showDiff(dialog: ConfirmDialog | RollbackDialog): void;
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

/**
 * Whether the history on screen is the selected service's in the selected tenant, read to the
 * end, its rollback target chosen for the image that runs now (or its read failed).
 */
function historyRead(state: ConsoleState): boolean {
  const { history } = state;
  const service = selectedService(state);
  if (!service || history.tenantId !== service.tenantId || history.service !== service.service || history.loading) return false;
  return history.error !== undefined || history.rollbackTarget?.liveImage === service.liveImage;
}

/** What the status line saying r waits for the rollback target is `about`: it goes when the wait ends. */
const WAITING = 'rollback-target';

/** What a status line about a key that did nothing is `about`. */
const UNBOUND = 'unbound-key';

export function createUIActions(deps: UIActionsDeps): UIActions {
  const { store, jobs } = deps;
  const now = deps.now ?? Date.now;
  const dispatch = store.dispatch;
  const say = (text: string, tone: 'info' | 'ok' | 'error' = 'info', about?: string) => dispatch({ type: 'message', message: { text, tone, at: now(), about } });

  let ended = false;
  const exit = (outcome: ConsoleExit) => {
    if (ended) return;
    ended = true;
    deps.exit(outcome);
  };

  function quit(): void {
    if (runningJobs(store.getState()).length > 0) dispatch({ type: 'overlay/open', overlay: { kind: 'quit' } });
    else exit(QUIT_CLEANLY);
  }

  function quitAnyway(): void {
    const state = store.getState();
    const stopping = state.overlay?.kind === 'quit' ? state.overlay.stopping : undefined;
    if (stopping) return exit(quitOutcome(state, stopping));
    const ids = runningJobs(state).map((j) => j.id);
    if (ids.length === 0) return exit(QUIT_CLEANLY);
    dispatch({ type: 'overlay/open', overlay: { kind: 'quit', stopping: ids } });
    void jobs.stopAll().then(() => exit(quitOutcome(store.getState(), ids)));
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
    const problem = def.scope === 'service' ? selectionProblem(state) : undefined;
    if (problem) return say(problem, 'error');
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
      // A deploy that builds first writes the tag of that build: there is nothing to show before it.
      const services = target.service ? [target.service.service] : target.tenant.rows.map((r) => r.service);
      if ((id === 'deploy' || id === 'deploy-all') && canBuildAll(deps.core.config, services)) {
        dispatch({ type: 'overlay/open', overlay: { ...dialog, lines: [...dialog.lines, 'It builds first: the manifests get the tag of that build (shown in the log).'] } });
        return;
      }
      dispatch({ type: 'overlay/open', overlay: { ...dialog, preview: { state: 'loading' } } });
      preview({ tenant: target.tenant.id, service: target.service?.service }, (state) => {
        const open = store.getState().overlay;
        if (open?.kind === 'confirm' && open.action === dialog.action && open.title === dialog.title) update(open, { preview: state });
      });
      return;
    }
    jobs.start(def, target);
  }

  /** Reads what the manifests would become (the pipeline's dry run) and hands it to `done`. */
  function preview(target: { tenant: string; service?: string; versionId?: string }, done: (state: PreviewState) => void): void {
    void import('../../pipeline/change-preview.js')
      .then(({ tryPreviewManifestChange }) => tryPreviewManifestChange(deps.core, target))
      .then((result) => done('error' in result ? { state: 'failed', error: result.error } : { state: 'ready', ...result }));
  }

  /** The rollback's preview for the version its cursor is on, unless it is already read or being read. */
  function previewRollback(dialog: RollbackDialog): void {
    const version = dialog.candidates[dialog.index];
    if (!version || dialog.preview?.versionId === version.id) return;
    update(dialog, { preview: { state: 'loading', versionId: version.id } });
    preview({ tenant: dialog.tenantId, service: dialog.service, versionId: version.id }, (state) => {
      const open = store.getState().overlay;
      if (open?.kind === 'rollback' && open.preview?.versionId === version.id) update(open, { preview: { ...state, versionId: version.id } });
    });
  }

  function showDiff(dialog: ConfirmDialog | RollbackDialog): void {
    const p = dialog.preview;
    if (p?.state !== 'ready') return say(p?.state === 'failed' ? p.error : 'What the manifests would become is still being read.', p?.state === 'failed' ? 'error' : 'info');
    if (p.diff.length === 0) return say('The manifests would not change: there is no diff.', 'info');
    dispatch({ type: 'overlay/open', overlay: { kind: 'text', title: 'Manifest diff (what the step would write)', lines: p.diff, top: 0, back: dialog } });
  }

  /** Stops waiting for a history read to open the rollback dialog (see rollbackWhenRead). */
  let stopWaiting: (() => void) | undefined;

  /**
   * r pressed before the selected service's history and rollback target are read (for the image
   * that runs now): the dialog opens once they are, unless the selection moves or another view
   * opens first. A target read for another tenant or another live image is never offered.
   */
  function rollbackWhenRead(tenantId: string, service: string): void {
    stopWaiting?.();
    say(`Reading the rollback target of ${service}; the dialog opens when it is read.`, 'info', WAITING);
    const unsubscribe = store.subscribe(() => {
      const state = store.getState();
      if (selectedTenant(state)?.id !== tenantId || selectedService(state)?.service !== service || state.overlay) return stop();
      if (!historyRead(state)) return;
      stop();
      openRollback(state);
    });
    const stop = () => {
      unsubscribe();
      stopWaiting = undefined;
      if (store.getState().message?.about === WAITING) dispatch({ type: 'message', message: undefined });
    };
    stopWaiting = stop;
  }

  function openRollback(state: ConsoleState): void {
    const rollback = deps.rollback;
    const tenant = selectedTenant(state);
    const service = selectedService(state);
    if (!rollback || !tenant || !service) return say('Select a service first.', 'error');
    const history = state.history;
    if (!historyRead(state)) return rollbackWhenRead(tenant.id, service.service);
    if (history.error) return say(`The version history of ${service.service} cannot be read: ${history.error}`, 'error');
    if (history.versions.length === 0) return say(`${service.service} has no registered versions to roll back to.`, 'error');
    // In the history pane, the version under the cursor (the pane may be filtered).
    const underCursor = state.focus === 'history' ? selectedVersion(state) : undefined;
    const fromHistory = underCursor ? history.versions.indexOf(underCursor) : -1;
    const index = fromHistory >= 0 ? fromHistory : rollback.defaultIndex(state);
    if (index < 0) {
      // The pipeline's own reason, as `ecp rollback` gives it (workloads whose previous revisions differ, say).
      const none = history.rollbackTarget?.none;
      return say(`No earlier good version of ${tenant.id}/${service.service} to roll back to${none ? `: ${none}` : ''}; to choose one yourself, select it in the history pane and press r.`, 'error');
    }
    // The target is known (the pipeline's default, or the one chosen in the history): the reason
    // comes first, Esc goes to the list of versions; a target that cannot be chosen opens the list.
    const why = rollback.refuse(state, index);
    if (why) say(why, 'error');
    const dialog: RollbackDialog = {
      kind: 'rollback',
      stage: why ? 'target' : 'reason',
      tenantId: tenant.id,
      service: service.service,
      candidates: history.versions,
      index,
      reason: '',
      word: tenant.protectedNamespaces.length > 0 ? tenant.id : undefined,
      typed: '',
    };
    dispatch({ type: 'overlay/open', overlay: dialog });
    if (!why) previewRollback(dialog);
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
    const next = { ...dialog, stage: 'reason' as const };
    update(dialog, { stage: 'reason' });
    previewRollback(next);
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

  function showYaml(): void {
    const state = store.getState();
    const problem = selectionProblem(state);
    const service = selectedService(state);
    if (problem || !service) return say(problem ?? 'Select a service first.', 'error');
    const key = `${service.namespace}/${service.service}`;
    const object = deps.liveObject?.(key) as { metadata?: Record<string, unknown> } | undefined;
    if (!object) return say(`${service.kind} ${key} is not in the cluster${state.live.configured ? '' : ' (no cluster is configured)'}: no live object to show.`, 'error');
    void import('../render/live-yaml.js').then(({ liveYamlLines }) => {
      dispatch({ type: 'overlay/open', overlay: { kind: 'text', title: `YAML · ${service.kind} ${key} (live)`, lines: liveYamlLines(object, service.kind), top: 0 } });
    });
  }

  function showLiveDiff(): void {
    const state = store.getState();
    const problem = selectionProblem(state);
    const tenant = selectedTenant(state);
    const service = selectedService(state);
    if (problem || !tenant || !service) return say(problem ?? 'Select a service first.', 'error');
    const reading = deps.liveDiff?.(tenant.id, service.service);
    if (!reading) return say('No cluster is connected: there is no live object to compare with.', 'error');
    say(`comparing ${service.service} in ${tenant.id} with its live object…`, 'info', 'live-diff');
    reading.then(
      (diff) => {
        if (store.getState().message?.about === 'live-diff') dispatch({ type: 'message', message: undefined });
        dispatch({ type: 'overlay/open', overlay: { kind: 'text', title: `Diff · manifest vs live · ${diff.object}`, lines: liveDiffLines(diff), top: 0 } });
      },
      (error: unknown) => say(`Comparing ${service.service} with the cluster failed: ${errorMessage(error)}`, 'error'),
    );
  }

  function editManifest(): void {
    const state = store.getState();
    const problem = selectionProblem(state);
    const service = selectedService(state);
    if (problem || !service) return say(problem ?? 'Select a service first.', 'error');
    if (!deps.runInTerminal) return say('There is no terminal to run an editor in.', 'error');
    // The console stops while the editor runs (it has the terminal): a running step would stop with it.
    const running = runningJobs(state)[0];
    if (running) return say(`"${running.title}" is still running, and the console stops while an editor runs; e again once it has finished.`, 'error');
    const command = manifestEditCommand(deps.core, deps.env, service.file, service.line);
    void deps.runInTerminal(command).then((error) => {
      if (error) return say(`${command.editor} could not be started for ${service.file}: ${error}`, 'error');
      say(`${command.editor} closed: ${service.file} read again`, 'ok');
      deps.refresh();
    });
  }

  /** Why a key did nothing: what it does elsewhere, or that it does nothing here. */
  function unbound(input: string, key: KeyInput): void {
    const name = key.return ? 'Enter' : key.tab ? 'Tab' : input.length === 1 && !key.ctrl && !key.meta ? input : undefined;
    if (name === undefined) return;
    const state = store.getState();
    const mode = deps.mode();
    const elsewhere = bindingFor(keyTableOf(state).bindings, input, key);
    const what = elsewhere ? `${name} (${elsewhere.label})` : name;
    if (elsewhere?.mutating && mode.readOnly)
      return say(`${what} changes things: off in ${deps.core.config.readOnly ? 'read-only mode' : `view-only mode (${deps.actor} is not an operator)`}.`, 'error', UNBOUND);
    if (elsewhere?.action && !availableActions({ cluster: mode.cluster }).has(elsewhere.action)) return say(`${what} needs a cluster, and none is connected.`, 'error', UNBOUND);
    if (elsewhere?.panes) return say(`${what} works in the ${elsewhere.panes.join(' and ')} pane${elsewhere.panes.length > 1 ? 's' : ''}.`, 'error', UNBOUND);
    const view = keyViewOf(state, mode);
    say(`${name} does nothing in ${view.where}${view.bindings.some((b) => b.id === 'help') ? '; ? lists the keys' : ''}.`, 'error', UNBOUND);
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
    quitAnyway,
    refresh: deps.refresh,
    startAction,
    confirmed: confirmDialog,
    chooseTarget,
    toConfirm,
    rollBack,
    openApprovals,
    showYaml,
    showDiff,
    showLiveDiff,
    editManifest,
    openWhy,
    beginDecision,
    decide,
  };

  function key(input: string, key: KeyInput): void {
    const view = keyViewOf(store.getState(), deps.mode());
    const binding = bindingFor(view.bindings, input, key) ?? bindingFor(GLOBAL_KEYS, input, key);
    if (!binding) return unbound(input, key);
    // What an unbound key said ("r works in the services and history panes") is stale once a key works.
    if (store.getState().message?.about === UNBOUND) dispatch({ type: 'message', message: undefined });
    binding.run(ctx, { input, key });
  }

  return { key, quit };
}
