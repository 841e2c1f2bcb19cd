/** The only code that changes the console state. Pure: (state, action) → state. */
import type { Approval, DeploymentRecord, ImageVersion } from '../../domain/types.js';
import { fleetIndex, fleetRows, logRows, selectedService, selectedTenant, serviceIndex, serviceOf, visibleServices, visibleTenants, visibleVersions } from './selectors.js';
import {
  isOverlayList,
  MAX_JOBS,
  MAX_STEP_LINES,
  PANES,
  type ClusterInfo,
  type ConsoleState,
  type HistoryState,
  type Job,
  type JobStep,
  type LiveInfo,
  type MainView,
  type Overlay,
  type Pane,
  type ServiceSortKey,
  type StatusMessage,
  type StepState,
  type TenantView,
} from './state.js';

export type Action =
  | { type: 'data/loaded'; tenants: TenantView[]; live: LiveInfo; at: number; error?: string; approvals?: Approval[] }
  | { type: 'data/live'; live: LiveInfo }
  | { type: 'cluster/changed'; cluster: ClusterInfo }
  | { type: 'refresh/started' }
  | { type: 'refresh/scheduled'; nextAt: number }
  | { type: 'move'; delta: number }
  | { type: 'move/edge'; to: 'top' | 'bottom' }
  /** `back`: Esc in the new view returns to the one left. */
  | { type: 'view'; view: MainView; back?: boolean }
  /** The fleet view's cursor: rows up or down (or to an edge), tenants left or right. */
  | { type: 'fleet/move'; rows?: number | 'top' | 'bottom'; tenants?: number }
  | { type: 'tenant/select'; tenantId: string }
  | { type: 'command/set'; text: string | undefined }
  /** Sort the services by `by`; again by the same key reverses the order. */
  | { type: 'sort'; by: ServiceSortKey }
  | { type: 'focus'; pane: Pane }
  | { type: 'focus/cycle'; delta: 1 | -1 }
  | { type: 'filter/open' }
  | { type: 'filter/set'; text: string }
  | { type: 'filter/close'; keep: boolean }
  | { type: 'overlay/open'; overlay: Overlay }
  | { type: 'overlay/update'; overlay: Overlay }
  | { type: 'overlay/close' }
  | { type: 'history/loading'; tenantId?: string; service?: string }
  | { type: 'history/loaded'; tenantId: string; service: string; versions: ImageVersion[]; deployments: DeploymentRecord[]; rollbackTarget?: HistoryState['rollbackTarget'] }
  | { type: 'history/failed'; tenantId: string; service: string; error: string }
  | { type: 'job/started'; job: Job }
  | { type: 'job/step'; jobId: number; key: string; title?: string; state?: StepState; at: number }
  | { type: 'job/line'; jobId: number; key: string; text: string; at: number }
  | { type: 'job/finished'; jobId: number; ok: boolean; summary: string; at: number; waiting?: boolean; stopped?: boolean }
  | { type: 'message'; message: StatusMessage | undefined };

const clamp = (value: number, max: number) => Math.max(0, Math.min(value, Math.max(0, max)));

function selectService(state: ConsoleState, index: number): ConsoleState {
  const tenant = selectedTenant(state);
  const rows = visibleServices(state);
  const row = rows[clamp(index, rows.length - 1)];
  if (!tenant || !row) return state;
  if (state.serviceByTenant[tenant.id] === row.service) return state;
  return { ...state, serviceByTenant: { ...state.serviceByTenant, [tenant.id]: row.service }, historyIndex: 0 };
}

/** Selects the tenant at `index` of `tenants` (the tenants pane's rows, or every tenant). */
function selectTenant(state: ConsoleState, index: number, tenants: readonly TenantView[] = state.tenants): ConsoleState {
  const tenant = tenants[clamp(index, tenants.length - 1)];
  if (!tenant || tenant.id === state.tenantId) return state;
  return { ...state, tenantId: tenant.id, historyIndex: 0 };
}

/** The fleet cell under the cursor becomes the selection of its tenant, when the tenant runs that service. */
function selectFleetCell(state: ConsoleState, service: string | undefined): ConsoleState {
  const tenant = selectedTenant(state);
  const next = state.fleetService === service ? state : { ...state, fleetService: service };
  if (!tenant || service === undefined || !serviceOf(tenant, service) || next.serviceByTenant[tenant.id] === service) return next;
  return { ...next, serviceByTenant: { ...next.serviceByTenant, [tenant.id]: service }, historyIndex: 0 };
}

function moveFleet(state: ConsoleState, rows: number | 'top' | 'bottom' = 0, tenants = 0): ConsoleState {
  const names = fleetRows(state);
  const current = fleetIndex(state);
  const row = rows === 'top' ? 0 : rows === 'bottom' ? names.length - 1 : clamp(current + rows, names.length - 1);
  const column = state.tenants.findIndex((t) => t.id === state.tenantId);
  const moved = tenants === 0 ? state : selectTenant(state, clamp(Math.max(0, column) + tenants, state.tenants.length - 1));
  return selectFleetCell(moved, names[row]);
}

/** After the filter changed: keep the selection when it still matches, else the first match. */
function keepSelectionFiltered(state: ConsoleState): ConsoleState {
  if (state.view === 'fleet') return selectFleetCell(state, fleetRows(state)[fleetIndex(state)]);
  if (state.filterList === 'tenants') {
    const tenants = visibleTenants(state);
    return tenants.some((t) => t.id === state.tenantId) ? state : selectTenant(state, 0, tenants);
  }
  // The approvals view keeps its selection when it still matches (else shows the first match).
  if (state.filterList === 'approvals') return state;
  if (state.filterList === 'help') return state.overlay?.kind === 'help' ? { ...state, overlay: { ...state.overlay, index: 0 } } : state;
  if (state.filterList === 'why') return state.overlay?.kind === 'why' ? { ...state, overlay: { ...state.overlay, scroll: 0 } } : state;
  if (state.filterList === 'history') return { ...state, historyIndex: 0 };
  if (state.filterList === 'log') return { ...state, logIndex: 0 };
  return selectService(state, serviceIndex(state));
}

/** The filter of an overlay's list (help, approvals, why) goes with the overlay. */
function withoutOverlayFilter(state: ConsoleState): ConsoleState {
  return isOverlayList(state.filterList) ? { ...state, filter: '', filterEditing: false, filterList: undefined } : state;
}

/** Moves the cursor of the focused pane (or the fleet view's row) by `delta` (or to an edge). */
function move(state: ConsoleState, delta: number | 'top' | 'bottom'): ConsoleState {
  if (state.view === 'fleet') return moveFleet(state, delta);
  const to = (current: number, length: number) => (delta === 'top' ? 0 : delta === 'bottom' ? length - 1 : clamp(current + delta, length - 1));
  switch (state.focus) {
    case 'tenants': {
      const tenants = visibleTenants(state);
      const current = tenants.findIndex((t) => t.id === state.tenantId);
      return selectTenant(state, to(Math.max(0, current), tenants.length), tenants);
    }
    case 'services':
      return selectService(state, to(serviceIndex(state), visibleServices(state).length));
    case 'history':
      return { ...state, historyIndex: to(state.historyIndex, visibleVersions(state).length) };
    case 'log':
      return { ...state, logIndex: to(state.logIndex, logRows(state).length) };
  }
}

function updateJob(state: ConsoleState, jobId: number, change: (job: Job) => Job): ConsoleState {
  let changed = false;
  const jobs = state.jobs.map((j) => {
    if (j.id !== jobId) return j;
    changed = true;
    return change(j);
  });
  return changed ? { ...state, jobs } : state;
}

function upsertStep(job: Job, key: string, change: (step: JobStep) => JobStep, at: number): Job {
  const found = job.steps.some((s) => s.key === key);
  const steps = found ? job.steps.map((s) => (s.key === key ? change(s) : s)) : [...job.steps, change({ key, title: key, state: 'running', lines: [], startedAt: at })];
  return { ...job, steps };
}

/** A message the new data makes false: "refreshing…" once a read finished, "cluster unreachable" once it answers. */
function staleMessage(message: StatusMessage | undefined, live: LiveInfo, read: boolean): boolean {
  if (message?.about === 'refresh') return read;
  return message?.about === 'cluster' && live.reachable;
}

export function reducer(state: ConsoleState, action: Action): ConsoleState {
  switch (action.type) {
    case 'data/loaded': {
      const tenantId = action.tenants.some((t) => t.id === state.tenantId) ? state.tenantId : action.tenants[0]?.id;
      return {
        ...state,
        message: staleMessage(state.message, action.live, true) ? undefined : state.message,
        tenants: action.tenants,
        tenantId,
        approvals: action.approvals ?? state.approvals,
        live: action.live,
        loaded: true,
        loadError: action.error,
        refresh: { ...state.refresh, lastAt: action.at, running: false },
      };
    }
    case 'data/live':
      return { ...state, live: action.live, message: staleMessage(state.message, action.live, false) ? undefined : state.message };
    case 'cluster/changed':
      return { ...state, cluster: action.cluster };
    case 'refresh/started':
      return { ...state, refresh: { ...state.refresh, running: true } };
    case 'refresh/scheduled':
      return { ...state, refresh: { ...state.refresh, nextAt: action.nextAt } };
    case 'move':
      return move(state, action.delta);
    case 'move/edge':
      return move(state, action.to);
    case 'view': {
      if (action.view === state.view) return state;
      const next = { ...state, view: action.view, viewBack: action.back ? state.view : undefined };
      return action.view === 'fleet' ? selectFleetCell(next, selectedService(state)?.service ?? fleetRows(state)[0]) : next;
    }
    case 'fleet/move':
      return moveFleet(state, action.rows, action.tenants);
    case 'tenant/select': {
      const index = state.tenants.findIndex((t) => t.id === action.tenantId);
      if (index < 0) return state;
      const next = selectTenant(state, index);
      return next.view === 'fleet' ? selectFleetCell(next, next.fleetService) : next;
    }
    case 'command/set':
      return state.command === action.text ? state : { ...state, command: action.text };
    case 'sort': {
      const descending = state.serviceSort?.by === action.by ? !state.serviceSort.descending : false;
      return { ...state, serviceSort: { by: action.by, descending } };
    }
    case 'focus':
      return state.focus === action.pane ? state : { ...state, focus: action.pane };
    case 'focus/cycle': {
      const i = PANES.indexOf(state.focus);
      return { ...state, focus: PANES[(i + action.delta + PANES.length) % PANES.length]! };
    }
    case 'filter/open': {
      // `/` filters the list it is pressed in (the help's or approvals' list, the fleet's rows in the fleet view).
      const overlay = state.overlay?.kind;
      const filterList = isOverlayList(overlay) ? overlay : state.view === 'fleet' || state.focus === 'services' ? undefined : state.focus;
      return { ...state, filterEditing: true, filterList, filter: filterList === state.filterList ? state.filter : '' };
    }
    case 'filter/set':
      return keepSelectionFiltered({ ...state, filter: action.text });
    case 'filter/close':
      return action.keep ? { ...state, filterEditing: false } : { ...state, filterEditing: false, filter: '', filterList: undefined };
    case 'overlay/open':
      return { ...withoutOverlayFilter(state), overlay: action.overlay };
    case 'overlay/update':
      return { ...state, overlay: action.overlay };
    case 'overlay/close':
      return state.overlay ? { ...withoutOverlayFilter(state), overlay: undefined } : state;
    case 'history/loading': {
      // The versions are the service's and stay on screen while it loads; the records and the
      // rollback target are the tenant's: another tenant's must never be offered for this one.
      const sameService = state.history.service === action.service;
      return { ...state, history: { tenantId: action.tenantId, service: action.service, versions: sameService ? state.history.versions : [], deployments: [], loading: true } };
    }
    case 'history/loaded':
      return {
        ...state,
        history: { tenantId: action.tenantId, service: action.service, versions: action.versions, deployments: action.deployments, rollbackTarget: action.rollbackTarget, loading: false },
        historyIndex: state.history.service === action.service && state.history.tenantId === action.tenantId ? clamp(state.historyIndex, action.versions.length - 1) : 0,
      };
    case 'history/failed':
      return { ...state, history: { tenantId: action.tenantId, service: action.service, versions: [], deployments: [], loading: false, error: action.error } };
    case 'job/started': {
      const finished = state.jobs.filter((j) => j.state !== 'running' && j.action !== 'monitor');
      const drop = Math.max(0, state.jobs.length + 1 - MAX_JOBS);
      const dropped = new Set(finished.slice(0, drop).map((j) => j.id));
      return { ...state, jobs: [...state.jobs.filter((j) => !dropped.has(j.id)), action.job], logIndex: 0 };
    }
    case 'job/step':
      return updateJob(state, action.jobId, (job) =>
        upsertStep(
          job,
          action.key,
          (step) => {
            const state = action.state ?? step.state;
            const done = state === 'ok' || state === 'failed';
            return { ...step, title: action.title ?? step.title, state, finishedAt: done ? action.at : step.finishedAt };
          },
          action.at,
        ),
      );
    case 'job/line':
      return updateJob(state, action.jobId, (job) => upsertStep(job, action.key, (step) => ({ ...step, lines: [...step.lines.slice(-(MAX_STEP_LINES - 1)), action.text] }), action.at));
    case 'job/finished':
      return updateJob(state, action.jobId, (job) => ({
        ...job,
        state: action.waiting ? 'waiting' : action.ok ? 'ok' : 'failed',
        finishedAt: action.at,
        summary: action.summary,
        ...(action.stopped ? { stopped: true } : {}),
        // A step still marked running when its job ended: done if the job succeeded, else unknown.
        steps: job.steps.map((s) => (s.state === 'running' || s.state === 'queued' ? { ...s, state: action.ok && !action.waiting ? 'ok' : 'ended', finishedAt: action.at } : s)),
      }));
    case 'message':
      return { ...state, message: action.message };
  }
}
