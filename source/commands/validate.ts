/** `ecp validate [tenant]`: check a tenant's manifests (or every tenant's); exit 0 valid, 1 problems, 2 usage. */
import { createCore } from '../core.js';
import { validateManifests, type ValidationProblem } from '../pipeline/validate.js';
import { println, printJson, type Command, type CommandContext } from './command.js';
import { openCluster } from './cluster-option.js';
import { boolFlag } from './flags.js';
import { displayPath, progress } from './manifest-output.js';

/** `file:line:col: error [check] Kind/name field: message` */
export function problemLine(ctx: Pick<CommandContext, 'cwd'>, p: ValidationProblem): string {
  const where = p.path ? `${displayPath(ctx, p.path)}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}` : p.tenant;
  const what = [p.object, p.field].filter(Boolean).join(' ');
  return `${where}: ${p.severity} [${p.check}] ${what ? `${what}: ` : ''}${p.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const validateCommand: Command = {
  name: 'validate',
  usage: [
    '  ecp validate [tenant] [--offline] [--context NAME | --sandbox] [--json]',
    '',
    '  Exit 0 when valid (warnings allowed), 1 when problems were found, 2 on a usage error.',
    '  With a kubeconfig (KUBECONFIG, ~/.kube/config or --context) every object is also sent to',
    '  the API server as a dry run (dryRun=All); --sandbox uses a sandbox API server seeded from the',
    '  manifests instead; --offline skips the dry run.',
  ].join('\n'),
  flags: { offline: { type: 'boolean' } },
  async run(ctx) {
    const tenant = ctx.input[0];
    const offline = boolFlag(ctx, 'offline');
    // --sandbox: a sandbox API server seeded from the manifests; else the kubeconfig, if any.
    const session = offline ? undefined : await openCluster(ctx);
    const offlineReason = offline ? 'offline (--offline)' : 'offline: no kubeconfig found (KUBECONFIG, ~/.kube/config or --context), so no server-side dry run';
    let result;
    try {
      result = await validateManifests(createCore(ctx.config), {
        tenant,
        cluster: session?.cluster,
        offlineReason,
        onEvent: progress(ctx),
      });
    } finally {
      await session?.close();
    }
    if (ctx.flags.json) {
      printJson(ctx, {
        valid: result.errors === 0,
        ...result,
        problems: result.problems.map((p) => ({ ...p, path: p.path ? displayPath(ctx, p.path) : undefined })),
      });
      return result.errors > 0 ? 1 : 0;
    }
    const out = ctx.io.stdout;
    for (const p of result.problems) println(out, problemLine(ctx, p));
    for (const t of result.tenants) {
      const verdict = t.errors > 0 ? plural(t.errors, 'error') : 'valid';
      const warnings = t.warnings > 0 ? `, ${plural(t.warnings, 'warning')}` : '';
      println(out, `${t.id}: ${plural(t.files, 'file')}, ${plural(t.objects, 'object')}: ${verdict}${warnings}`);
    }
    println(out, result.cluster.mode === 'dry-run' ? `Server-side dry run: ${plural(result.cluster.objects, 'object')} on ${result.cluster.description}.` : `Cluster: ${result.cluster.reason}.`);
    return result.errors > 0 ? 1 : 0;
  },
};
