/** What the console shows, as plain data: one state object, changed only by the reducer. */
import type { WorkloadDiagnosis } from '../../domain/diagnosis.js';
import type { RegistryAnswer } from '../../pipeline/registry-presence.js';
import type { Badge, ServiceStatus } from '../../domain/status.js';
import type { Approval, DeploymentRecord, ImageVersion } from '../../domain/types.js';

export type Pane = 'tenants' | 'services' | 'history' | 'log';

/** What fills the body under the overlays: the four panes, or the fleet (services × tenants). */
export type MainView = 'panes' | 'fleet';

/** What the services table is sorted by (k9s's Shift-letter sorts); undefined: the manifests' order. */
export type ServiceSortKey = 'name' | 'sync' | 'health' | 'age';
export interface ServiceSort {
  by: ServiceSortKey;
  descending: boolean;
}
export const PANES: readonly Pane[] = ['tenants', 'services', 'history', 'log'];

export interface ContainerView {
  name?: string;
  image?: string;
  own?: boolean;
}

/** One service of a tenant: its status row plus where it comes from. */
export interface ServiceView extends ServiceStatus {
  kind: string;
  /** Manifest file relative to the manifests folder, and the line of the object. */
  file: string;
  line: number;
  containers: ContainerView[];
  /** Containers of the live Deployment (undefined when it is not in the cluster). */
  liveContainers?: ContainerView[];
}

export interface TenantView {
  id: string;
  namespace: string;
  rows: ServiceView[];
  worst: Badge;
  yamlErrors: string[];
  /**
   * The namespaces its objects land in that match a protected or approval-requiring pattern
   * (read from the objects, not the folder's name): when any, dangerous actions ask for the tenant id.
   */
  protectedNamespaces: string[];
}

/** Which cluster the console talks to, and how far it got. */
export interface ClusterInfo {
  /** What the header calls it: "SANDBOX (http://…)", "context prod (https://…)", "no cluster". */
  label: string;
  phase: 'none' | 'connecting' | 'connected' | 'failed';
  error?: string;
}

export interface LiveInfo {
  /** False when no cluster is configured at all. */
  configured: boolean;
  reachable: boolean;
  lastGoodAt?: number;
  error?: string;
}

export interface HistoryState {
  tenantId?: string;
  service?: string;
  versions: ImageVersion[];
  deployments: DeploymentRecord[];
  /** The pipeline's default target for `liveImage`, or why there is none (`none`, as `ecp rollback` says it). */
  rollbackTarget?: { liveImage?: string; image?: string; none?: string };
  loading: boolean;
  error?: string;
}

/** `ended`: the job ended while the step had not said it was done. */
export type StepState = 'queued' | 'running' | 'ok' | 'failed' | 'warn' | 'info' | 'ended';

export interface JobStep {
  key: string;
  title: string;
  state: StepState;
  /** Output of the step, the last MAX_STEP_LINES kept. */
  lines: string[];
  startedAt: number;
  finishedAt?: number;
}

export interface Job {
  id: number;
  action: string;
  title: string;
  tenantId: string;
  service?: string;
  /** `waiting`: it stopped for something else to happen first (an approval). */
  state: 'running' | 'ok' | 'failed' | 'waiting';
  startedAt: number;
  finishedAt?: number;
  steps: JobStep[];
  summary?: string;
  /** It ended at a safe point because the operator quit while it ran. */
  stopped?: boolean;
}

export const MAX_STEP_LINES = 200;
export const MAX_JOBS = 30;

/** What a confirm step shows of the change: being read, read (old → new tags, the diff), or why not. */
export type PreviewState = { state: 'loading' } | { state: 'ready'; changes: string[]; skipped: string[]; diff: string[] } | { state: 'failed'; error: string };

export interface ConfirmDialog {
  kind: 'confirm';
  /** What the manifests would become (deploy, update). */
  preview?: PreviewState;
  action: string;
  title: string;
  lines: string[];
  /** When set, the exact word to type (the tenant id of a protected namespace). */
  word?: string;
  typed: string;
}

export interface RollbackDialog {
  kind: 'rollback';
  /** What the manifest would become with the chosen target (`versionId`). */
  preview?: PreviewState & { versionId?: string };
  stage: 'target' | 'reason' | 'confirm';
  tenantId: string;
  service: string;
  /** Versions that can be chosen, newest first. */
  candidates: ImageVersion[];
  index: number;
  reason: string;
  /** Word to type in a protected namespace. */
  word?: string;
  typed: string;
  /** What the registry says about the target, asked when the confirm step opens (undefined: asking). */
  registry?: RegistryAnswer;
}

/** `a`: the approvals, with the selected one being approved (confirm) or rejected (reason). */
export interface ApprovalsView {
  kind: 'approvals';
  /** Id of the selected approval: the list is re-read under the cursor. */
  selected?: string;
  stage: 'list' | 'approve' | 'reject';
  reason: string;
}

/** w: why the selected service fails — its workload's events, pods and failing log (issue 15). */
export interface WhyView {
  kind: 'why';
  tenantId: string;
  namespace: string;
  service: string;
  workload: 'Deployment' | 'StatefulSet';
  /** undefined while it is being read. */
  diagnosis?: WorkloadDiagnosis;
  error?: string;
  scroll: number;
}

export type Overlay =
  | { kind: 'help'; index: number }
  | { kind: 'details' }
  /** `back`: wrapped lines scrolled up from the newest one. */
  | { kind: 'log-details'; jobId: number; stepKey: string; back: number }
  /** q while a step runs; `stopping`: quit was confirmed, the jobs of these ids are asked to stop. */
  | { kind: 'quit'; stopping?: number[] }
  /**
   * A text to read (`y`: the live object as YAML; Tab in a confirm step: the manifest diff), `top`
   * wrapped lines scrolled down; Esc goes `back` to the overlay it was opened from, if any.
   */
  | { kind: 'text'; title: string; lines: string[]; top: number; back?: Overlay }
  | ConfirmDialog
  | RollbackDialog
  | ApprovalsView
  | WhyView;

export interface StatusMessage {
  text: string;
  tone: 'info' | 'ok' | 'error';
  at: number;
  /**
   * What the message is about, so it goes when that changes: a text field's prefix (typing in it
   * clears the refusal), 'refresh' (cleared when the read finishes), 'cluster' (cleared when the
   * cluster answers again), 'unbound-key' (what a key that did nothing said: cleared by the next key that works).
   */
  about?: string;
  /** The job the message is about: `l` opens its output. */
  jobId?: number;
}

/** A list `/` filters besides the services (and the fleet's rows). */
export type FilteredList = 'tenants' | 'history' | 'log' | OverlayList;

/** The overlays with a list `/` filters: the filter goes with the overlay. */
export const OVERLAY_LISTS = ['help', 'approvals', 'why'] as const;
export type OverlayList = (typeof OVERLAY_LISTS)[number];
export const isOverlayList = (list: string | undefined): list is OverlayList => (OVERLAY_LISTS as readonly (string | undefined)[]).includes(list);

export interface ConsoleState {
  tenants: TenantView[];
  /** The first load finished (with or without data). */
  loaded: boolean;
  /** Why tenants could not be read (manifests folder missing, a tenant that does not parse...). */
  loadError?: string;
  cluster: ClusterInfo;
  live: LiveInfo;
  refresh: { lastAt?: number; nextAt?: number; running: boolean };
  view: MainView;
  /** The view Esc goes back to from the panes (they were opened from a fleet cell). */
  viewBack?: MainView;
  focus: Pane;
  /** The fleet view's row (a service name); its column is the selected tenant. */
  fleetService?: string;
  /** `:`: the command being typed; undefined while the command line is closed. */
  command?: string;
  serviceSort?: ServiceSort;
  tenantId?: string;
  /** Selected service, remembered per tenant. */
  serviceByTenant: Record<string, string>;
  historyIndex: number;
  logIndex: number;
  filter: string;
  filterEditing: boolean;
  /**
   * The list the filter applies to: the pane focused (or the help or approvals list open) when `/`
   * was pressed; undefined the services (and in the fleet view its rows).
   */
  filterList?: FilteredList;
  overlay?: Overlay;
  history: HistoryState;
  /** Every approval in the store (of the --tenant only, when given), as last read. */
  approvals: Approval[];
  jobs: Job[];
  message?: StatusMessage;
}

export function initialState(live: LiveInfo, cluster: ClusterInfo): ConsoleState {
  return {
    tenants: [],
    loaded: false,
    cluster,
    live,
    refresh: { running: false },
    view: 'panes',
    focus: 'services',
    serviceByTenant: {},
    historyIndex: 0,
    logIndex: 0,
    filter: '',
    filterEditing: false,
    history: { versions: [], deployments: [], loading: false },
    approvals: [],
    jobs: [],
  };
}
