/** `ecp update-manifests <tenant...> | --all`: move services' image tags in tenants' manifests. */
import { createCore } from '../core.js';
import { allTenantIds, updateManyManifests, type UpdateManifestsResult } from '../pipeline/update-manifests.js';
import { UsageError } from '../errors.js';
import { println, printJson, type Command, type CommandContext } from './command.js';
import { boolFlag, stringFlag } from './flags.js';
import { displayPath, progress, tagText } from './manifest-output.js';
import { counted } from '../domain/words.js';

const USAGE = 'ecp update-manifests <tenant...> | --all [--service S] [--tag T | --version ID] [--dry-run]';

function jsonOf(ctx: CommandContext, result: UpdateManifestsResult) {
  return {
    ...result,
    changes: result.changes.map((c) => ({ ...c, files: c.files.map((f) => ({ ...f, path: displayPath(ctx, f.path) })) })),
    diffs: result.diffs.map((d) => ({ ...d, path: displayPath(ctx, d.path) })),
  };
}

export const updateManifestsCommand: Command = {
  name: 'update-manifests',
  usage: [
    '  ecp update-manifests <tenant...> [--service S] [--tag T | --version ID] [--dry-run]',
    '                       [--force] [--skip-registry-check] [--reason TEXT] [--approval ID] [--json]',
    '  ecp update-manifests --all ...   every tenant (a tenant without --service S is skipped)',
    '',
    '  Without --tag/--version each service gets its newest ready version. Only image lines change;',
    '  every file is written or none. --dry-run prints the unified diff and writes nothing.',
    '  Unregistered or blocked tags are refused unless --force; each new image must exist in the',
    '  registry unless --skip-registry-check. Both overrides are recorded in the audit log.',
    '  A tenant whose namespace needs approval (requireApproval) stops with a pending approval;',
    '  re-run with --approval ID once another approver has approved it.',
  ].join('\n'),
  mutating: (ctx) => ctx.flags.dryRun !== true,
  flags: {
    all: { type: 'boolean' },
    service: { type: 'string' },
    tag: { type: 'string' },
    version: { type: 'string' },
    dryRun: { type: 'boolean' },
    force: { type: 'boolean' },
    skipRegistryCheck: { type: 'boolean' },
    reason: { type: 'string' },
    approval: { type: 'string' },
  },
  async run(ctx) {
    const all = boolFlag(ctx, 'all');
    if (all && ctx.input.length > 0) throw new UsageError('Give tenants or --all, not both.');
    const tenants = all ? await allTenantIds(ctx.config) : ctx.input;
    if (tenants.length === 0) throw new UsageError(all ? `There are no tenants in ${ctx.config.manifestsDir}.` : `Missing tenant. Usage: ${USAGE}`);
    const results = await updateManyManifests(createCore(ctx.config), tenants, {
      service: stringFlag(ctx, 'service'),
      tag: stringFlag(ctx, 'tag'),
      versionId: stringFlag(ctx, 'version'),
      dryRun: boolFlag(ctx, 'dryRun'),
      force: boolFlag(ctx, 'force'),
      skipRegistryCheck: boolFlag(ctx, 'skipRegistryCheck'),
      reason: stringFlag(ctx, 'reason'),
      approvalId: stringFlag(ctx, 'approval'),
      onEvent: progress(ctx),
      display: (p) => displayPath(ctx, p),
    });
    const several = tenants.length > 1 || all;
    if (ctx.flags.json) {
      printJson(ctx, several ? { tenants: results.map((r) => jsonOf(ctx, r)) } : jsonOf(ctx, results[0]!));
      return 0;
    }
    const out = ctx.io.stdout;
    const who = (r: UpdateManifestsResult, service: string) => (several ? `${r.tenant}/${service}` : service);
    for (const r of results) for (const d of r.diffs) out.write(d.diff);
    let changed = 0;
    for (const r of results) {
      for (const c of r.changes) {
        const forced = c.forced ? `  [forced: ${c.forced}]` : '';
        const where = c.files.map((f) => `${displayPath(ctx, f.path)}:${f.lines.join(',')}`).join('; ');
        const workloads = c.workloads.length > 1 ? ` in ${c.workloads.length} workloads (${c.workloads.map((w) => w.name).join(', ')})` : '';
        println(out, `${who(r, c.service)}: ${tagText(c.fromTag)} → ${c.toTag}${workloads}  (${where})${forced}`);
      }
      for (const u of r.unchanged) println(out, `${who(r, u.service)}: unchanged (${u.image})`);
      for (const s of r.skipped) println(out, `${who(r, s.service)}: skipped (${s.reason})`);
      changed += r.changes.length;
    }
    const scope = several ? `${counted(results.length, 'tenant')}` : `tenant ${results[0]!.tenant}`;
    if (changed === 0) println(out, `Nothing to change in ${scope}.`);
    else if (results[0]!.dryRun) println(out, `Dry run: nothing was written (${counted(changed, 'service')} would change).`);
    else println(out, `Updated ${counted(changed, 'service')} in ${scope}.`);
    return 0;
  },
};
