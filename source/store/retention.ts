/**
 * Which records retention moves out of the hot store (DESIGN §5), whichever backend keeps them:
 * per service the newest `keep` versions stay, per tenant/service the newest `keep` deployment
 * records (and every record still in flight, whatever its age). The backends write the archive.
 */
import type { DeploymentRecord, ImageVersion } from '../domain/types.js';
import type { StoreData } from './schema.js';

export function newestFirst<T>(items: readonly T[], at: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => at(b.item).localeCompare(at(a.item)) || b.index - a.index)
    .map((e) => e.item);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** What leaves the hot store: versions by service, deployment records by tenant, oldest last. */
export interface RetentionPlan {
  versions: Map<string, ImageVersion[]>;
  deployments: Map<string, DeploymentRecord[]>;
}

/** Takes the records beyond the bound out of `data` and returns them. */
export function takeRetained(data: StoreData, keep: number): RetentionPlan {
  const plan: RetentionPlan = { versions: new Map(), deployments: new Map() };
  const archivedVersions = new Set<ImageVersion>();
  for (const [service, versions] of groupBy(data.versions, (v) => v.serviceName)) {
    if (versions.length <= keep) continue;
    const old = newestFirst(versions, (v) => v.createdAt).slice(keep);
    plan.versions.set(service, old);
    for (const v of old) archivedVersions.add(v);
  }
  if (archivedVersions.size) data.versions = data.versions.filter((v) => !archivedVersions.has(v));

  const archivedDeployments = new Set<DeploymentRecord>();
  for (const [, records] of groupBy(data.deployments, (d) => `${d.tenantId}/${d.serviceName}`)) {
    if (records.length <= keep) continue;
    const old = newestFirst(records, (d) => d.startedAt)
      .slice(keep)
      .filter((d) => d.status === 'succeeded' || d.status === 'failed');
    if (old.length === 0) continue;
    const tenant = old[0]!.tenantId;
    plan.deployments.set(tenant, [...(plan.deployments.get(tenant) ?? []), ...old]);
    for (const d of old) archivedDeployments.add(d);
  }
  if (archivedDeployments.size) data.deployments = data.deployments.filter((d) => !archivedDeployments.has(d));
  return plan;
}
