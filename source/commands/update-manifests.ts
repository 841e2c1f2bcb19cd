/** `ecp update-manifests <tenant>`: move services' image tags in the tenant's manifests. */
import { createCore } from '../core.js';
import { updateManifests } from '../pipeline/update-manifests.js';
import { println, printJson, type Command } from './command.js';
import { boolFlag, requireInput, stringFlag } from './flags.js';
import { displayPath, progress, tagText } from './manifest-output.js';

export const updateManifestsCommand: Command = {
  name: 'update-manifests',
  summary: "set services' image tags in a tenant's manifests (newest ready version by default)",
  usage: [
    '  ecp update-manifests <tenant> [--service S] [--tag T | --version ID] [--dry-run]',
    '                       [--force] [--skip-registry-check] [--reason TEXT] [--json]',
    '',
    '  Without --tag/--version each service gets its newest ready version. Only image lines change;',
    '  every file is written or none. --dry-run prints the unified diff and writes nothing.',
    '  Unregistered or blocked tags are refused unless --force; each new image must exist in the',
    '  registry unless --skip-registry-check. Both overrides are recorded in the audit log.',
  ].join('\n'),
  flags: {
    service: { type: 'string' },
    tag: { type: 'string' },
    version: { type: 'string' },
    dryRun: { type: 'boolean' },
    force: { type: 'boolean' },
    skipRegistryCheck: { type: 'boolean' },
    reason: { type: 'string' },
  },
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', 'ecp update-manifests <tenant> [--service S] [--tag T | --version ID] [--dry-run]');
    const core = createCore(ctx.config);
    const result = await updateManifests(core, {
      tenant,
      service: stringFlag(ctx, 'service'),
      tag: stringFlag(ctx, 'tag'),
      versionId: stringFlag(ctx, 'version'),
      dryRun: boolFlag(ctx, 'dryRun'),
      force: boolFlag(ctx, 'force'),
      skipRegistryCheck: boolFlag(ctx, 'skipRegistryCheck'),
      reason: stringFlag(ctx, 'reason'),
      onEvent: progress(ctx),
      display: (p) => displayPath(ctx, p),
    });
    if (ctx.flags.json) {
      printJson(ctx, {
        ...result,
        changes: result.changes.map((c) => ({ ...c, path: displayPath(ctx, c.path) })),
        diffs: result.diffs.map((d) => ({ ...d, path: displayPath(ctx, d.path) })),
      });
      return 0;
    }
    const out = ctx.io.stdout;
    for (const d of result.diffs) out.write(d.diff);
    for (const c of result.changes) {
      const forced = c.forced ? `  [forced: ${c.forced}]` : '';
      println(out, `${c.service}: ${tagText(c.fromTag)} → ${c.toTag}  (${displayPath(ctx, c.path)}:${c.lines.join(',')})${forced}`);
    }
    for (const u of result.unchanged) println(out, `${u.service}: unchanged (${u.image})`);
    for (const s of result.skipped) println(out, `${s.service}: skipped (${s.reason})`);
    if (result.changes.length === 0) println(out, `Nothing to change in tenant ${result.tenant}.`);
    else if (result.dryRun) println(out, `Dry run: nothing was written (${result.changes.length} service(s) would change).`);
    else println(out, `Updated ${result.changes.length} service(s) in tenant ${result.tenant}.`);
    return 0;
  },
};
