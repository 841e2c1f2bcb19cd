/** Tenants × services with drift, health and version state: what --once, the console and the monitor show. */
import { listTenantFolders, loadTenants, loadTenant, type Tenant } from '../adapters/manifests.js';

export { assertRendered, manifestsSignature, unmanagedWorkloads, type Tenant } from '../adapters/manifests.js';
import type { Core } from '../core.js';
import { serviceStatus, versionsByImage, worstBadge, type Badge, type LiveSnapshot, type ServiceStatus } from '../domain/status.js';
import { nothingManagedMessage } from '../domain/manifest-checks.js';
import type { ImageVersion } from '../domain/types.js';

export interface TenantStatus {
  id: string;
  namespace: string;
  rows: ServiceStatus[];
  worst: Badge;
  /** Files of the tenant that did not parse (their services are missing from rows). */
  yamlErrors: string[];
  /** Why a tenant with workloads shows no row: none of them runs a service ecp manages (issue 20). */
  watchesNothing?: string;
}

export async function readTenants(core: Core, tenantId?: string): Promise<Tenant[]> {
  return tenantId ? [await loadTenant(core.config, tenantId)] : loadTenants(core.config);
}

/** Folders of the manifests directory that are not tenants (their names are not DNS-1123 labels). */
export async function ignoredTenantFolders(core: Core): Promise<{ id: string; dir: string }[]> {
  return (await listTenantFolders(core.config)).filter((f) => !f.valid);
}

/** Namespaces the tenants deploy into (for per-namespace reads where RBAC limits scope). */
export function tenantNamespaces(tenants: readonly Tenant[]): string[] {
  return [...new Set(tenants.flatMap((t) => t.services.flatMap((s) => s.workloads.map((w) => w.namespace))))];
}

/** Versions for every manifest image: hot records first, archived ones only when needed. */
async function versionsFor(core: Core, tenants: readonly Tenant[]): Promise<Map<string, ImageVersion>> {
  const byImage = versionsByImage((await core.store.read()).versions);
  const missing = new Set(
    tenants
      .flatMap((t) => t.services)
      .filter((s) => !byImage.has(s.image))
      .map((s) => s.name),
  );
  for (const service of missing) {
    for (const v of await core.store.allVersions(service)) if (!byImage.has(v.fullImageName)) byImage.set(v.fullImageName, v);
  }
  return byImage;
}

export async function collectStatus(core: Core, tenants: readonly Tenant[], live: LiveSnapshot | undefined, now = Date.now()): Promise<TenantStatus[]> {
  const versions = await versionsFor(core, tenants);
  return tenants.map((tenant) => {
    const rows = tenant.services.map((s) =>
      serviceStatus(
        {
          tenantId: tenant.id,
          namespace: s.namespace,
          service: s.name,
          image: s.image,
          repository: s.repository,
          workloads: s.workloads.map((w) => ({ kind: w.kind, name: w.name, namespace: w.namespace, image: w.image })),
        },
        live,
        versions,
        now,
      ),
    );
    return {
      id: tenant.id,
      namespace: tenant.namespace,
      rows,
      worst: worstBadge(rows),
      yamlErrors: tenant.files.flatMap((f) => f.errors.map((e) => `${f.file}:${e.line}:${e.column}: ${e.message}`)),
      watchesNothing: rows.length === 0 && tenant.workloads.length > 0 ? nothingManagedMessage(tenant.id, tenant.workloads, core.config) : undefined,
    };
  });
}
