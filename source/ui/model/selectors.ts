/** Derived views of the state. Cached on the identity of their inputs, so a key press costs O(visible). */
import { HEALTH_ORDER } from '../../domain/health.js';
import { countStatuses, type StatusCounts } from '../../domain/status.js';
import type { Approval } from '../../domain/types.js';
import { isOpen } from '../../domain/approvals.js';
import type { ConsoleState, Job, JobStep, ServiceSort, ServiceSortKey, ServiceView, TenantView } from './state.js';

export function selectedTenant(state: ConsoleState): TenantView | undefined {
  return state.tenants.find((t) => t.id === state.tenantId) ?? state.tenants[0];
}

export function tenantIndex(state: ConsoleState): number {
  const i = state.tenants.findIndex((t) => t.id === state.tenantId);
  return i < 0 ? 0 : i;
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
  if (!state.filter && !state.serviceSort) return tenant.rows;
  const cached = shown.get(tenant.rows);
  if (cached && cached.filter === state.filter && cached.sort === state.serviceSort) return cached.rows;
  const rows = sortServices(state.filter ? tenant.rows.filter((r) => matchesFilter(r, state.filter)) : tenant.rows, state.serviceSort);
  shown.set(tenant.rows, { filter: state.filter, sort: state.serviceSort, rows });
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

/** The fleet view's rows: every service of any tenant, by name, those matching the filter's words. */
export function fleetRows(state: ConsoleState): string[] {
  const cached = fleetNames.get(state.tenants);
  if (cached && cached.filter === state.filter) return cached.names;
  const all = [...new Set(state.tenants.flatMap((t) => t.rows.map((r) => r.service)))].sort((a, b) => a.localeCompare(b));
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const names = all.filter((name) => words.every((w) => name.toLowerCase().includes(w)));
  fleetNames.set(state.tenants, { filter: state.filter, names });
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

const flattened = new WeakMap<readonly Job[], LogRow[]>();

/** Newest job first; under each job its steps, with the last lines of running and failed steps. */
export function logRows(state: ConsoleState): LogRow[] {
  const cached = flattened.get(state.jobs);
  if (cached) return cached;
  const rows: LogRow[] = [];
  for (const job of [...state.jobs].reverse()) {
    rows.push({ kind: 'job', job });
    for (const step of job.steps) {
      rows.push({ kind: 'step', job, step });
      if (step.state === 'running' || step.state === 'failed') {
        for (const text of step.lines.slice(-TAIL_LINES)) rows.push({ kind: 'output', job, step, text });
      }
    }
  }
  flattened.set(state.jobs, rows);
  return rows;
}

export function runningJobs(state: ConsoleState): Job[] {
  return state.jobs.filter((j) => j.state === 'running');
}

/** The version the history cursor is on. */
export function selectedVersion(state: ConsoleState) {
  return state.history.versions[Math.min(state.historyIndex, state.history.versions.length - 1)];
}

const sortedApprovals = new WeakMap<readonly Approval[], Approval[]>();

/**
 * The approvals view's rows: open ones first (pending, not expired), then the others; newest first
 * in each. Sorted again when the approvals are read again (every refresh).
 */
export function approvalRows(state: ConsoleState, ttlMs: number): Approval[] {
  const cached = sortedApprovals.get(state.approvals);
  if (cached) return cached;
  const now = Date.now();
  const rank = (a: Approval) => (isOpen(a, ttlMs, now) ? 0 : 1);
  const rows = [...state.approvals].sort((a, b) => rank(a) - rank(b) || b.requestedAt.localeCompare(a.requestedAt));
  sortedApprovals.set(state.approvals, rows);
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
