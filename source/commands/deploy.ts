import { createCore } from '../core.js';
import { UsageError } from '../errors.js';
import { deploy } from '../pipeline/deploy.js';
import { openCluster } from './cluster-option.js';
import { println, printJson, type Command } from './command.js';
import { boolFlag, requireInput, stringFlag, stringListFlag } from './flags.js';
import { interruptOnCtrlC } from './interrupt.js';
import { progressPrinter } from './progress.js';
import { timeoutFlag } from './rollback.js';

export const deployCommand: Command = {
  name: 'deploy',
  usage: '  ecp deploy <tenant> [--service S...] [--no-build] [--no-apply] [--timeout 10m] [--force] [--skip-registry-check] [--approval ID] [--json] [--context C | --sandbox]',
  flags: {
    service: { type: 'string', isMultiple: true },
    build: { type: 'boolean', default: true },
    apply: { type: 'boolean', default: true },
    timeout: { type: 'string' },
    force: { type: 'boolean' },
    reason: { type: 'string' },
    skipRegistryCheck: { type: 'boolean' },
    approval: { type: 'string' },
  },
  mutating: true,
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', this.usage.trim());
    const apply = ctx.flags.apply !== false;
    const timeoutMs = timeoutFlag(stringFlag(ctx, 'timeout'), '10m');
    const session = apply ? await openCluster(ctx) : undefined;
    if (apply && !session) throw new UsageError('No cluster is configured: set KUBECONFIG (or ~/.kube/config), pass --context, use --sandbox, or deploy with --no-apply.');
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const result = await deploy(createCore(ctx.config), session?.client, {
        tenant,
        services: stringListFlag(ctx, 'service'),
        build: ctx.flags.build !== false,
        apply,
        timeoutMs,
        force: boolFlag(ctx, 'force'),
        reason: stringFlag(ctx, 'reason'),
        skipRegistryCheck: boolFlag(ctx, 'skipRegistryCheck'),
        approvalId: stringFlag(ctx, 'approval'),
        signal: interrupt.signal,
        onEvent: progressPrinter(ctx),
      });
      if (ctx.flags.json) {
        printJson(ctx, result);
      } else {
        if (result.changes.length === 0) println(ctx.io.stdout, `${tenant}: nothing to deploy, every service already has its target image.`);
        for (const r of result.records) println(ctx.io.stdout, `${r.serviceName}: ${r.fromImage ?? '(none)'} → ${r.toImage} ${r.status}${r.message ? ` (${r.message})` : ''}`);
        if (result.gitTag) println(ctx.io.stdout, `git tag ${result.gitTag}`);
      }
      return result.ok ? 0 : 1;
    } finally {
      interrupt.dispose();
      await session?.close();
    }
  },
};
