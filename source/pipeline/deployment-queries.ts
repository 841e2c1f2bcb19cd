/**
 * Reading deployment records (the specification's `GET /deployments/{tenant}/history` and
 * `GET /deployments/health`): hot and archived records together, as `ecp history` and
 * `ecp health` print them and `ecp serve` answers them. Those two commands still read the store
 * themselves; they should call `deploymentHistory` and `deploymentHealth` (noted for their owner).
 */
import { listTenantIds, loadTenant } from '../adapters/manifests.js';
import type { Core } from '../core.js';
import { metricsByTenant } from '../domain/metrics.js';
import { dns1123Problem } from '../domain/names.js';
import type { DeploymentRecord } from '../domain/types.js';
import { UsageError } from '../errors.js';

export interface HistoryQuery {
  service?: string;
  limit?: number;
}

/** A tenant's deploys and rollbacks, newest first. */
export async function deploymentHistory(core: Pick<Core, 'store'>, tenant: string, query: HistoryQuery = {}): Promise<DeploymentRecord[]> {
  const problem = dns1123Problem('Tenant', tenant) ?? (query.service ? dns1123Problem('Service', query.service) : undefined);
  if (problem) throw new UsageError(problem);
  const hot = (await core.store.read()).deployments.filter((d) => d.tenantId === tenant);
  const all = [...hot, ...(await core.store.archivedDeployments(tenant, hot))].filter((d) => !query.service || d.serviceName === query.service).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return query.limit === undefined ? all : all.slice(0, query.limit);
}

/** Success rate, time to ready and rollbacks per tenant and service (of one tenant, or all). */
export async function deploymentHealth(core: Pick<Core, 'store'>, tenant?: string): Promise<ReturnType<typeof metricsByTenant>> {
  const problem = tenant ? dns1123Problem('Tenant', tenant) : undefined;
  if (problem) throw new UsageError(problem);
  const hot = (await core.store.read()).deployments;
  const tenants = tenant ? [tenant] : [...new Set(hot.map((d) => d.tenantId))];
  const archived = (await Promise.all(tenants.map((t) => core.store.archivedDeployments(t, hot)))).flat();
  return metricsByTenant([...hot, ...archived].filter((d) => !tenant || d.tenantId === tenant));
}

/** The services of `tenant` in k8s-manifests/, or undefined when there is no such tenant. */
export async function tenantServiceNames(core: Pick<Core, 'config'>, tenant: string): Promise<string[] | undefined> {
  if (!(await listTenantIds(core.config)).includes(tenant)) return undefined;
  return (await loadTenant(core.config, tenant)).services.map((s) => s.name);
}
