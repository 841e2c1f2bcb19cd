/** `ecp health`: the deploy metrics of each tenant and service (success rate, time to ready, rollbacks). */
import { createCore } from '../core.js';
import { formatDuration } from '../domain/duration.js';
import { metricsByTenant, type DeploymentMetrics } from '../domain/metrics.js';
import { dns1123Problem, tagOf } from '../domain/names.js';
import { UsageError } from '../errors.js';
import { formatColumns, println, printJson, type Command } from './command.js';
import { stringFlag } from './flags.js';

const cells = (name: string, m: DeploymentMetrics) => [
  name,
  String(m.deploys),
  m.successRate === undefined ? '-' : `${Math.round(m.successRate * 100)}%`,
  m.medianTimeToReadyMs === undefined ? '-' : formatDuration(m.medianTimeToReadyMs),
  `${m.rollbacks.manual}/${m.rollbacks.auto}`,
  m.lastFailure ? `${m.lastFailure.at.slice(0, 16).replace('T', ' ')} ${tagOf(m.lastFailure.image)}` : '-',
];

export const healthCommand: Command = {
  name: 'health',
  usage: '  ecp health [--tenant T] [--json]',
  async run(ctx) {
    const tenant = stringFlag(ctx, 'tenant');
    const problem = tenant ? dns1123Problem('Tenant', tenant) : undefined;
    if (problem) throw new UsageError(problem);
    const store = createCore(ctx.config).store;
    const hot = (await store.read()).deployments;
    const tenants = tenant ? [tenant] : [...new Set(hot.map((d) => d.tenantId))];
    const archived = (await Promise.all(tenants.map((t) => store.archivedDeployments(t, hot)))).flat();
    const records = [...hot, ...archived].filter((d) => !tenant || d.tenantId === tenant);
    const metrics = metricsByTenant(records);
    if (ctx.flags.json) return (printJson(ctx, metrics), 0);
    if (metrics.length === 0) {
      println(ctx.io.stdout, `No deployments are recorded${tenant ? ` for ${tenant}` : ''}.`);
      return 0;
    }
    const rows = metrics.flatMap((t) => [cells(`${t.tenantId} (all)`, t.total), ...t.services.map((s) => cells(`  ${s.service}`, s.metrics))]);
    println(ctx.io.stdout, formatColumns(['TENANT / SERVICE', 'DEPLOYS', 'SUCCESS', 'MEDIAN READY', 'ROLLBACKS (MANUAL/AUTO)', 'LAST FAILURE'], rows));
    return 0;
  },
};
