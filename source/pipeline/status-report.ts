/**
 * Drift, health and version state of every tenant (or one) as one document: what
 * `ecp --once --json` prints and what `ecp serve` answers and streams to its status page.
 * `ecp --once` still assembles this itself; it should call `statusReport` (noted for its owner).
 */
import type { Core } from '../core.js';
import { countStatuses, isAllGood, type LiveSnapshot, type StatusCounts } from '../domain/status.js';
import { collectStatus, readTenants, tenantNamespaces, type TenantStatus } from '../monitor/status-view.js';
import type { Tenant } from '../adapters/manifests.js';

export interface StatusReport {
  cluster: string;
  checkedAt: string;
  /** 0: every service synced, healthy and ready; 1: something needs attention. */
  exitCode: 0 | 1;
  summary: StatusCounts;
  tenants: TenantStatus[];
}

/** The tenants a report covers (every one, or `tenantId`), and the namespaces to read live. */
export async function reportScope(core: Core, tenantId?: string): Promise<{ tenants: Tenant[]; namespaces: string[] }> {
  const tenants = await readTenants(core, tenantId);
  return { tenants, namespaces: tenantNamespaces(tenants) };
}

export async function statusReport(core: Core, tenants: readonly Tenant[], live: LiveSnapshot | undefined, cluster: string): Promise<StatusReport> {
  const statuses = await collectStatus(core, tenants, live);
  const rows = statuses.flatMap((t) => t.rows);
  const good = rows.every(isAllGood) && statuses.every((t) => t.yamlErrors.length === 0);
  return { cluster, checkedAt: new Date().toISOString(), exitCode: good ? 0 : 1, summary: countStatuses(rows), tenants: statuses };
}
