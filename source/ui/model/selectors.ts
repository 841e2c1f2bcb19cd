/** Derived views of the state. Cached on the identity of their inputs, so a key press costs O(visible). */
import { HEALTH_ORDER } from '../../domain/health.js';
import { countStatuses, type StatusCounts } from '../../domain/status.js';
import type { Approval, ImageVersion } from '../../domain/types.js';
import { imagesAsTags, isOpen, shownStatus } from '../../domain/approvals.js';
import type { ConsoleState, FilteredList, Job, JobStep, ServiceSort, ServiceSortKey, ServiceView, TenantView } from './state.js';

export function selectedTenant(state: ConsoleState): TenantView | undefined {
  return state.tenants.find((t) => t.id === state.tenantId) ?? state.tenants[0];
}

/** The filter's text for `list`: `/` filters the list of the pane it was pressed in. */
export function filterOf(state: ConsoleState, list: 'services' | FilteredList): string {
  return (state.filterList ?? 'services') === list ? state.filter : '';
}

/** Whether every word of `filter` appears (case-insensitive) in `text`. */
export function matchesWords(text: string, filter: string): boolean {
  const hay = text.toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** Caches `compute` on the identity of `of` and the filter text. */
function filteredBy<K extends object, T>(): (of: K, filter: string, compute: () => T) => T {
  const cache = new WeakMap<K, { filter: string; value: T }>();
  return (of, filter, compute) => {
    const hit = cache.get(of);
    if (hit && hit.filter === filter) return hit.value;
    const value = compute();
    cache.set(of, { filter, value });
    return value;
  };
}

const tenantsShown = filteredBy<readonly TenantView[], TenantView[]>();

/** The tenants pane's rows: those whose name has the filter's words. */
export function visibleTenants(state: ConsoleState): readonly TenantView[] {
  const filter = filterOf(state, 'tenants');
  if (!filter) return state.tenants;
  return tenantsShown(state.tenants, filter, () => state.tenants.filter((t) => matchesWords(t.id, filter)));
}

export function tenantIndex(state: ConsoleState): number {
  const i = visibleTenants(state).findIndex((t) => t.id === state.tenantId);
  return i < 0 ? 0 : i;
}

const versionsShown = filteredBy<readonly ImageVersion[], ImageVersion[]>();

/** The history pane's rows: the versions whose tag, id, status, scan, branch or commit have the filter's words. */
export function visibleVersions(state: ConsoleState): readonly ImageVersion[] {
  const filter = filterOf(state, 'history');
  const versions = state.history.versions;
  if (!filter) return versions;
  return versionsShown(versions, filter, () => versions.filter((v) => matchesWords(`${v.imageTag} ${v.id} ${v.status} ${v.securityScanResult} ${v.gitBranch} ${v.gitCommit}`, filter)));
}

/** Case-insensitive words that must all appear in the service, its tags or its states. */
export function matchesFilter(row: ServiceView, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${row.service} ${row.manifestTag} ${row.liveTag ?? ''} ${row.sync} ${row.health} ${row.version} ${row.scan ?? ''}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

const SYNC_ORDER = ['Synced', 'OutOfSync', 'Missing', 'Unknown'];

/** Ascending order of each sort key: worse states and older services last. */
const COMPARE: Record<ServiceSortKey, (a: ServiceView, b: ServiceView) => number> = {
  name: (a, b) => a.service.localeCompare(b.service),
  sync: (a, b) => SYNC_ORDER.indexOf(a.sync) - SYNC_ORDER.indexOf(b.sync),
  health: (a, b) => HEALTH_ORDER.indexOf(a.health) - HEALTH_ORDER.indexOf(b.health),
  age: (a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''),
};

export function sortServices(rows: readonly ServiceView[], sort: ServiceSort | undefined): ServiceView[] {
  if (!sort) return [...rows];
  const compare = COMPARE[sort.by];
  const sign = sort.descending ? -1 : 1;
  // Ties keep the manifests' order (Array.prototype.sort is stable), then by name.
  return [...rows].sort((a, b) => sign * compare(a, b) || (sort.by === 'name' ? 0 : a.service.localeCompare(b.service)));
}

const shown = new WeakMap<readonly ServiceView[], { filter: string; sort?: ServiceSort; rows: ServiceView[] }>();

export function visibleServices(state: ConsoleState): ServiceView[] {
  const tenant = selectedTenant(state);
  if (!tenant) return [];
  const filter = filterOf(state, 'services');
  if (!filter && !state.serviceSort) return tenant.rows;
  const cached = shown.get(tenant.rows);
  if (cached && cached.filter === filter && cached.sort === state.serviceSort) return cached.rows;
  const rows = sortServices(filter ? tenant.rows.filter((r) => matchesFilter(r, filter)) : tenant.rows, state.serviceSort);
  shown.set(tenant.rows, { filter, sort: state.serviceSort, rows });
  return rows;
}

export function serviceIndex(state: ConsoleState): number {
  const tenant = selectedTenant(state);
  const rows = visibleServices(state);
  const name = tenant ? state.serviceByTenant[tenant.id] : undefined;
  const i = name === undefined ? 0 : rows.findIndex((r) => r.service === name);
  return i < 0 ? 0 : i;
}

export function selectedService(state: ConsoleState): ServiceView | undefined {
  return visibleServices(state)[serviceIndex(state)];
}

// ── the fleet view: services × tenants ─────────────────────────────────────────────────────

const byName = new WeakMap<readonly ServiceView[], Map<string, ServiceView>>();

/** The tenant's row of `service`, if it has one. */
export function serviceOf(tenant: TenantView, service: string): ServiceView | undefined {
  let map = byName.get(tenant.rows);
  if (!map) byName.set(tenant.rows, (map = new Map(tenant.rows.map((r) => [r.service, r]))));
  return map.get(service);
}

const fleetNames = new WeakMap<readonly TenantView[], { filter: string; names: string[] }>();

/** The tag a tenant runs: live, else (not deployed, no cluster) the manifest's. */
export const fleetTag = (row: ServiceView) => row.liveTag ?? row.manifestTag;

/**
 * Whether a fleet cell matches the filter: every word not in the service's name is in the tag
 * the cell runs ("callbot v1.2": the tenants that still run callbot v1.2).
 */
export function fleetCellMatches(service: string, row: ServiceView | undefined, filter: string): boolean {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w && !service.toLowerCase().includes(w));
  return words.length === 0 || (row !== undefined && matchesWords(fleetTag(row), words.join(' ')));
}

/** The fleet view's rows: every service of any tenant, by name, those where some cell matches the filter. */
export function fleetRows(state: ConsoleState): string[] {
  const filter = filterOf(state, 'services');
  const cached = fleetNames.get(state.tenants);
  if (cached && cached.filter === filter) return cached.names;
  const all = [...new Set(state.tenants.flatMap((t) => t.rows.map((r) => r.service)))].sort((a, b) => a.localeCompare(b));
  const names = all.filter((name) => state.tenants.some((t) => fleetCellMatches(name, serviceOf(t, name), filter)));
  fleetNames.set(state.tenants, { filter, names });
  return names;
}

/** The fleet view's cursor row: its service, else the first row. */
export function fleetIndex(state: ConsoleState): number {
  const rows = fleetRows(state);
  const i = state.fleetService === undefined ? 0 : rows.indexOf(state.fleetService);
  return i < 0 ? 0 : i;
}

/**
 * Why the selection cannot be acted on: in the fleet view, a cell whose tenant does not run the
 * row's service (keys act on the cell, never on another service of that tenant).
 */
export function selectionProblem(state: ConsoleState): string | undefined {
  if (state.view !== 'fleet') return undefined;
  const tenant = selectedTenant(state);
  const service = fleetRows(state)[fleetIndex(state)];
  if (!tenant || service === undefined) return 'No service is selected.';
  return serviceOf(tenant, service) ? undefined : `${tenant.id} has no ${service}: choose a cell with a version.`;
}

const counted = new WeakMap<readonly TenantView[], StatusCounts>();

/** Counts over every tenant (the header). */
export function totalCounts(state: ConsoleState): StatusCounts {
  const cached = counted.get(state.tenants);
  if (cached) return cached;
  const counts = countStatuses(state.tenants.flatMap((t) => t.rows));
  counted.set(state.tenants, counts);
  return counts;
}

/** One line of the pipeline log. */
export type LogRow = { kind: 'job'; job: Job } | { kind: 'step'; job: Job; step: JobStep } | { kind: 'output'; job: Job; step: JobStep; text: string };

/** Lines of output shown under a running or failed step. */
export const TAIL_LINES = 2;

const flattened = filteredBy<readonly Job[], LogRow[]>();

/** Newest job first (those whose title, summary or steps have the filter's words); under each job its steps, with the last lines of running and failed steps. */
export function logRows(state: ConsoleState): LogRow[] {
  const filter = filterOf(state, 'log');
  return flattened(state.jobs, filter, () => flattenJobs(state.jobs.filter((j) => !filter || matchesWords(`${j.title} ${j.summary ?? ''} ${j.steps.map((s) => s.title).join(' ')}`, filter))));
}

function flattenJobs(jobs: readonly Job[]): LogRow[] {
  const rows: LogRow[] = [];
  for (const job of [...jobs].reverse()) {
    rows.push({ kind: 'job', job });
    for (const step of job.steps) {
      rows.push({ kind: 'step', job, step });
      if (step.state === 'running' || step.state === 'failed') {
        for (const text of step.lines.slice(-TAIL_LINES)) rows.push({ kind: 'output', job, step, text });
      }
    }
  }
  return rows;
}

export function runningJobs(state: ConsoleState): Job[] {
  return state.jobs.filter((j) => j.state === 'running');
}

/** The version the history cursor is on. */
export function selectedVersion(state: ConsoleState) {
  const versions = visibleVersions(state);
  return versions[Math.min(state.historyIndex, versions.length - 1)];
}

const sortedApprovals = new WeakMap<readonly Approval[], { filter: string; rows: Approval[] }>();

/**
 * The approvals view's rows: open ones first (pending, not expired), then the others; newest first
 * in each. Sorted again when the approvals are read again (every refresh).
 */
export function approvalRows(state: ConsoleState, ttlMs: number): Approval[] {
  const filter = filterOf(state, 'approvals');
  const cached = sortedApprovals.get(state.approvals);
  if (cached && cached.filter === filter) return cached.rows;
  const now = Date.now();
  const rank = (a: Approval) => (isOpen(a, ttlMs, now) ? 0 : 1);
  // The filter's words: in the id, action, tenant, images, who requested or decided, the status shown.
  const shown = filter
    ? state.approvals.filter((a) => matchesWords(`${a.id} ${a.action} ${a.tenantId} ${imagesAsTags(a.images)} ${a.requestedBy} ${a.decidedBy ?? ''} ${shownStatus(a, ttlMs, now)}`, filter))
    : state.approvals;
  const rows = [...shown].sort((a, b) => rank(a) - rank(b) || b.requestedAt.localeCompare(a.requestedAt));
  sortedApprovals.set(state.approvals, { filter, rows });
  return rows;
}

/** Index of the view's selected approval in `approvalRows` (0 when it is gone). */
export function approvalIndex(rows: readonly Approval[], selected: string | undefined): number {
  const i = selected === undefined ? 0 : rows.findIndex((a) => a.id === selected);
  return i < 0 ? 0 : i;
}

/** Approvals waiting for an approver: pending and not expired (the header's count). */
export function openApprovals(state: ConsoleState, ttlMs: number, now: number): number {
  return state.approvals.filter((a) => isOpen(a, ttlMs, now)).length;
}
