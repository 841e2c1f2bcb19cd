/** Derived views of the state. Cached on the identity of their inputs, so a key press costs O(visible). */
import { countStatuses, type StatusCounts } from '../../domain/status.js';
import type { Approval } from '../../domain/types.js';
import { isOpen } from '../../domain/approvals.js';
import type { ConsoleState, Job, JobStep, ServiceView, TenantView } from './state.js';

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

const filtered = new WeakMap<readonly ServiceView[], { filter: string; rows: ServiceView[] }>();

export function visibleServices(state: ConsoleState): ServiceView[] {
  const tenant = selectedTenant(state);
  if (!tenant) return [];
  if (!state.filter) return tenant.rows;
  const cached = filtered.get(tenant.rows);
  if (cached && cached.filter === state.filter) return cached.rows;
  const rows = tenant.rows.filter((r) => matchesFilter(r, state.filter));
  filtered.set(tenant.rows, { filter: state.filter, rows });
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
