import { createCore } from '../core.js';
import { dns1123Problem, tagOf } from '../domain/names.js';
import { formatDuration } from '../domain/duration.js';
import { UsageError } from '../errors.js';
import { formatColumns, println, printJson, type Command } from './command.js';
import { intFlag, requireInput, stringFlag } from './flags.js';

export const historyCommand: Command = {
  name: 'history',
  usage: '  ecp history <tenant> [--service S] [--limit 20] [--json]',
  flags: { service: { type: 'string' }, limit: { type: 'number' } },
  async run(ctx) {
    const tenant = requireInput(ctx, 0, 'tenant', this.usage.trim());
    const service = stringFlag(ctx, 'service');
    const problem = dns1123Problem('Tenant', tenant) ?? (service ? dns1123Problem('Service', service) : undefined);
    if (problem) throw new UsageError(problem);
    const limit = intFlag(ctx, 'limit', 1) ?? 20;
    const store = createCore(ctx.config).store;
    const hot = (await store.read()).deployments.filter((d) => d.tenantId === tenant);
    const all = [...hot, ...(await store.archivedDeployments(tenant, hot))]
      .filter((d) => !service || d.serviceName === service)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit);
    if (ctx.flags.json) return (printJson(ctx, all), 0);
    if (all.length === 0) {
      println(ctx.io.stdout, `No deployments of ${tenant}${service ? `/${service}` : ''} are recorded.`);
      return 0;
    }
    const tag = (image?: string) => (image ? tagOf(image) : '-');
    println(
      ctx.io.stdout,
      formatColumns(
        ['STARTED', 'SERVICE', 'KIND', 'FROM', 'TO', 'STATUS', 'DURATION', 'ACTOR', 'REASON'],
        all.map((d) => [
          d.startedAt.replace('T', ' ').slice(0, 19),
          d.serviceName,
          d.kind,
          tag(d.fromImage),
          tag(d.toImage),
          d.status,
          d.durationMs === undefined ? '-' : formatDuration(d.durationMs),
          d.actor,
          d.reason ?? d.message ?? '',
        ]),
      ),
    );
    return 0;
  },
};
