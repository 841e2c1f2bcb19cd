/** `ecp tenants` and `ecp services <tenant>`: what the manifests hold, per tenant and per service. */
import { createCore } from '../core.js';
import { nothingManagedMessage } from '../domain/manifest-checks.js';
import { versionsByImage, versionState } from '../domain/status.js';
import { assertRendered, ignoredTenantFolders, readTenants, unmanagedWorkloads, type Tenant } from '../monitor/status-view.js';
import { formatColumns, println, printJson, type Command, type CommandContext } from './command.js';
import { requireInput } from './flags.js';
import { displayPath, tagText } from './manifest-output.js';

function tenantJson(ctx: CommandContext, tenant: Tenant) {
  return {
    id: tenant.id,
    dir: displayPath(ctx, tenant.dir),
    namespace: tenant.namespace,
    files: tenant.files.map((f) => displayPath(ctx, f.path)),
    services: tenant.services.map((s) => s.name),
    invalidFiles: tenant.files.filter((f) => f.errors.length > 0).map((f) => displayPath(ctx, f.path)),
  };
}

const tenants: Command = {
  name: 'tenants',
  usage: '  ecp tenants [--json]',
  async run(ctx) {
    const core = createCore(ctx.config);
    const [list, ignored] = await Promise.all([readTenants(core), ignoredTenantFolders(core)]);
    if (ctx.flags.json) {
      printJson(ctx, { tenants: list.map((t) => tenantJson(ctx, t)), ignoredFolders: ignored.map((f) => displayPath(ctx, f.dir)) });
      return 0;
    }
    if (list.length === 0) println(ctx.io.stdout, `No tenants in ${displayPath(ctx, ctx.config.manifestsDir)}.`);
    else {
      const problem = (t: Tenant) => {
        const errors = t.files.flatMap((f) => f.errors);
        if (errors.some((e) => e.code === 'KUSTOMIZE')) return 'does not render';
        return errors.length > 0 ? 'invalid YAML' : '';
      };
      const rows = list.map((t) => [t.id, t.namespace, String(t.files.length), t.services.map((s) => s.name).join(',') || '-', problem(t)]);
      println(ctx.io.stdout, formatColumns(['TENANT', 'NAMESPACE', 'FILES', 'SERVICES', ''], rows));
    }
    for (const f of ignored) {
      ctx.io.stderr.write(`ecp: warning: folder ${displayPath(ctx, f.dir)} is not a tenant: "${f.id}" is not a DNS-1123 label.\n`);
    }
    return 0;
  },
};

const services: Command = {
  name: 'services',
  usage: '  ecp services <tenant> [--json]',
  async run(ctx) {
    const id = requireInput(ctx, 0, 'tenant', this.usage.trim());
    const core = createCore(ctx.config);
    const tenant = (await readTenants(core, id))[0]!;
    assertRendered(tenant, (p) => displayPath(ctx, p));
    const versions = versionsByImage((await core.store.read()).versions);
    const unmanaged = unmanagedWorkloads(tenant);
    const nothingManaged = tenant.services.length === 0 && tenant.workloads.length > 0 ? nothingManagedMessage(tenant.id, tenant.workloads, ctx.config) : undefined;
    // A file that does not parse hides its services: say which, so a short list is not taken as all.
    const invalidFiles = tenant.files.flatMap((f) => (f.errors[0] ? [{ file: displayPath(ctx, f.path), line: f.errors[0].line, column: f.errors[0].column, message: f.errors[0].message }] : []));
    for (const f of invalidFiles) {
      ctx.io.stderr.write(`ecp: warning: ${f.file}:${f.line}:${f.column} is not valid YAML (${f.message}); its objects are not listed.\n`);
    }
    if (ctx.flags.json) {
      printJson(ctx, {
        tenant: tenant.id,
        namespace: tenant.namespace,
        kustomize: tenant.kustomize ? { file: displayPath(ctx, tenant.files[0]!.path), renderedBy: tenant.kustomize.tool ?? null } : null,
        services: tenant.services.map((s) => {
          const version = versions.get(s.image);
          return {
            name: s.name,
            repository: s.repository,
            namespace: s.namespace,
            image: s.image,
            tag: s.tag ?? null,
            digest: s.digest ?? null,
            workloads: s.workloads.map((w) => ({
              name: w.name,
              kind: w.kind,
              namespace: w.namespace,
              file: displayPath(ctx, w.path),
              line: w.line,
              documentIndex: w.documentIndex,
              image: w.image,
              replicas: w.replicas ?? null,
              containers: w.own.map((c) => ({ name: c.name ?? null, list: c.list, image: c.image, line: c.position?.line ?? null })),
            })),
            version: versionState(version),
            versionId: version?.id ?? null,
          };
        }),
        unmanaged: unmanaged.map((w) => ({
          name: w.name,
          kind: w.kind,
          file: displayPath(ctx, w.path),
          line: w.line,
          images: w.containers.map((c) => c.image ?? null),
        })),
        nothingManaged: nothingManaged ?? null,
        invalidFiles,
      });
      return 0;
    }
    if (tenant.kustomize) println(ctx.io.stdout, `Kustomize overlay ${displayPath(ctx, tenant.files[0]!.path)}, rendered with ${tenant.kustomize.tool}.`);
    if (tenant.services.length === 0) println(ctx.io.stdout, nothingManaged ? `Tenant ${tenant.id} watches nothing: ${nothingManaged}.` : `Tenant ${tenant.id} has no services managed by ecp.`);
    else {
      const rows = tenant.services.flatMap((s) =>
        s.workloads.map((w) => [
          s.name,
          w.kind,
          w.name,
          w.namespace,
          tagText(w.tag),
          w.replicas === undefined ? '-' : String(w.replicas),
          versionState(versions.get(w.image)),
          `${displayPath(ctx, w.path)}:${w.line}`,
        ]),
      );
      println(ctx.io.stdout, formatColumns(['SERVICE', 'KIND', 'WORKLOAD', 'NAMESPACE', 'TAG', 'REPLICAS', 'VERSION', 'FILE'], rows));
    }
    const base = `${ctx.config.registry}/${ctx.config.imagePrefix}/`;
    for (const w of unmanaged) {
      const images = w.containers.map((c) => c.image ?? '(none)').join(', ') || 'none';
      println(ctx.io.stdout, `not managed: ${w.kind} ${w.name} (${displayPath(ctx, w.path)}:${w.line}): none of its images (${images}) is under ${base} or named in the config's services:`);
    }
    return 0;
  },
};

export const tenantCommands: Command[] = [tenants, services];
