import { createCore } from '../core.js';
import { DURATION_BOUNDS, durationProblem, parseDuration } from '../domain/duration.js';
import { UsageError } from '../errors.js';
import { rollback } from '../pipeline/rollback.js';
import { requireCluster } from './cluster-option.js';
import { println, printJson, type Command } from './command.js';
import { boolFlag, requireInput, stringFlag } from './flags.js';
import { interruptOnCtrlC } from './interrupt.js';
import { progressPrinter } from './progress.js';

export function timeoutFlag(value: string | undefined, fallback: string): number {
  const ms = parseDuration(value ?? fallback);
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout "${value}" is not a duration such as 90s or 10m.`);
  const bounded = durationProblem(`--timeout ${value}`, ms, DURATION_BOUNDS.rolloutTimeout);
  if (bounded) throw new UsageError(bounded);
  return ms;
}

export const rollbackCommand: Command = {
  name: 'rollback',
  usage: '  ecp rollback <tenant> <service> --reason "..." [--to VERSION-ID] [--force] [--skip-registry-check] [--timeout 10m] [--json] [--context C | --sandbox]',
  flags: { reason: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean' }, skipRegistryCheck: { type: 'boolean' }, timeout: { type: 'string' } },
  mutating: true,
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', this.usage.trim());
    const service = requireInput(ctx, 1, 'service', this.usage.trim());
    const reason = stringFlag(ctx, 'reason');
    if (!reason?.trim()) throw new UsageError('A rollback needs a reason: pass --reason "...".');
    const timeoutMs = timeoutFlag(stringFlag(ctx, 'timeout'), '10m');
    const session = await requireCluster(ctx);
    const interrupt = interruptOnCtrlC(ctx);
    try {
      const result = await rollback(createCore(ctx.config), session.client, {
        tenant,
        service,
        reason,
        toVersionId: stringFlag(ctx, 'to'),
        force: boolFlag(ctx, 'force'),
        skipRegistryCheck: boolFlag(ctx, 'skipRegistryCheck'),
        timeoutMs,
        signal: interrupt.signal,
        onEvent: progressPrinter(ctx),
      });
      if (ctx.flags.json) printJson(ctx, result);
      else {
        println(
          ctx.io.stdout,
          `${tenant}/${service}: ${result.from ?? '(none)'} → ${result.to} ${result.ok ? 'rolled back' : `FAILED: ${result.message}`}${result.gitTag ? ` (git tag ${result.gitTag})` : ''}`,
        );
        for (const warning of result.warnings) println(ctx.io.stdout, `warning: ${warning}`);
      }
      return result.ok ? 0 : 1;
    } finally {
      interrupt.dispose();
      await session.close();
    }
  },
};
