/** `ecp tenants` and `ecp services <tenant>`: what the manifests hold, per tenant and per service. */
import { createCore } from '../core.js';
import { versionsByImage, versionState } from '../domain/status.js';
import { ignoredTenantFolders, readTenants, type Tenant } from '../monitor/status-view.js';
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
      const rows = list.map((t) => [t.id, t.namespace, String(t.files.length), t.services.map((s) => s.name).join(',') || '-', t.files.some((f) => f.errors.length > 0) ? 'invalid YAML' : '']);
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
    const versions = versionsByImage((await core.store.read()).versions);
    const unmanaged = tenant.workloads.filter((w) => !tenant.services.some((s) => s.path === w.path && s.documentIndex === w.documentIndex));
    if (ctx.flags.json) {
      printJson(ctx, {
        tenant: tenant.id,
        namespace: tenant.namespace,
        services: tenant.services.map((s) => {
          const version = versions.get(s.image);
          return {
            name: s.name,
            kind: s.kind,
            namespace: s.namespace,
            file: displayPath(ctx, s.path),
            line: s.line,
            documentIndex: s.documentIndex,
            image: s.image,
            tag: s.tag ?? null,
            digest: s.digest ?? null,
            replicas: s.replicas ?? null,
            containers: s.own.map((c) => ({ name: c.name ?? null, list: c.list, image: c.image, line: c.position?.line ?? null })),
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
      });
      return 0;
    }
    if (tenant.services.length === 0) println(ctx.io.stdout, `Tenant ${tenant.id} has no services managed by ecp.`);
    else {
      const rows = tenant.services.map((s) => [
        s.name,
        s.kind,
        s.namespace,
        tagText(s.tag),
        s.replicas === undefined ? '-' : String(s.replicas),
        versionState(versions.get(s.image)),
        `${displayPath(ctx, s.path)}:${s.line}`,
      ]);
      println(ctx.io.stdout, formatColumns(['SERVICE', 'KIND', 'NAMESPACE', 'TAG', 'REPLICAS', 'VERSION', 'FILE'], rows));
    }
    for (const w of unmanaged) {
      println(ctx.io.stdout, `not managed: ${w.kind} ${w.name} (${displayPath(ctx, w.path)}:${w.line}) has no container with image ${w.repository}`);
    }
    return 0;
  },
};

export const tenantCommands: Command[] = [tenants, services];
