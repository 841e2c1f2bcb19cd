import { createCore } from '../core.js';
import { applyTenant } from '../pipeline/apply.js';
import { requireCluster } from './cluster-option.js';
import { println, printJson, type Command } from './command.js';
import { boolFlag, requireInput, stringFlag } from './flags.js';
import { progressPrinter } from './progress.js';

export const applyCommand: Command = {
  name: 'apply',
  usage: '  ecp apply <tenant> [--dry-run] [--force-conflicts] [--force --reason "..."] [--json] [--context C | --sandbox]',
  flags: { dryRun: { type: 'boolean' }, forceConflicts: { type: 'boolean' }, force: { type: 'boolean' }, reason: { type: 'string' } },
  mutating: (ctx) => ctx.flags.dryRun !== true,
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', this.usage.trim());
    const dryRun = boolFlag(ctx, 'dryRun');
    const session = await requireCluster(ctx);
    try {
      const result = await applyTenant(createCore(ctx.config), session.cluster, {
        tenant,
        dryRun,
        forceConflicts: boolFlag(ctx, 'forceConflicts'),
        force: boolFlag(ctx, 'force'),
        reason: stringFlag(ctx, 'reason'),
        onEvent: progressPrinter(ctx),
      });
      if (ctx.flags.json) printJson(ctx, result);
      else for (const o of result.objects) println(ctx.io.stdout, `${o.kind.toLowerCase()}/${o.name} ${o.result}${dryRun ? ' (dry run)' : ''}`);
      return 0;
    } finally {
      await session.close();
    }
  },
};
