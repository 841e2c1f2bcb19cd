/** `ecp --once`: the status of every tenant, once, with an exit code for cron and CI (DESIGN §8). */
import { createCore } from '../core.js';
import { countStatuses, isAllGood, type ServiceStatus } from '../domain/status.js';
import { counted } from '../domain/words.js';
import { UsageError } from '../errors.js';
import { readLiveSnapshot } from '../monitor/live-state.js';
import { collectStatus, readTenants, tenantNamespaces } from '../monitor/status-view.js';
import { requireCluster } from './cluster-option.js';
import { formatColumns, println, printJson, type Command } from './command.js';
import { stringFlag } from './flags.js';

const COLUMNS = ['SERVICE', 'MANIFEST TAG', 'LIVE TAG', 'SYNC', 'HEALTH', 'VERSION', 'MESSAGE'];
const row = (r: ServiceStatus) => [r.service, r.manifestTag, r.liveTag ?? '-', r.sync, r.health, r.version, r.message];

export const onceCommand: Command = {
  name: '--once',
  usage: '  ecp --once [--tenant T] [--json] [--context C | --sandbox]',
  async run(ctx) {
    const core = createCore(ctx.config);
    const tenantId = stringFlag(ctx, 'tenant');
    const tenants = await readTenants(core, tenantId);
    if (tenants.length === 0) throw new UsageError(`No tenants found in ${ctx.config.manifestsDir}.`);
    const session = await requireCluster(ctx);
    try {
      const live = await readLiveSnapshot(session.client, tenantNamespaces(tenants));
      const statuses = await collectStatus(core, tenants, live);
      const rows = statuses.flatMap((t) => t.rows);
      const counts = countStatuses(rows);
      const yamlErrors = statuses.flatMap((t) => t.yamlErrors);
      const blind = statuses.filter((t) => t.watchesNothing);
      // A check that watches nothing is not "all good" (issue 20).
      const exitCode = rows.every(isAllGood) && yamlErrors.length === 0 && blind.length === 0 ? 0 : 1;
      if (ctx.flags.json) {
        printJson(ctx, { cluster: session.cluster.description, checkedAt: new Date().toISOString(), exitCode, summary: counts, tenants: statuses });
      } else {
        for (const t of statuses) {
          if (t.watchesNothing) {
            println(ctx.io.stdout, `${t.id} (namespace ${t.namespace}) — watches nothing: ${t.watchesNothing}`);
            println(ctx.io.stdout);
            continue;
          }
          println(ctx.io.stdout, `${t.id} (namespace ${t.namespace}) — ${t.worst}`);
          println(ctx.io.stdout, formatColumns(COLUMNS, t.rows.map(row)));
          for (const e of t.yamlErrors) println(ctx.io.stdout, `  YAML error: ${e}`);
          println(ctx.io.stdout);
        }
        println(
          ctx.io.stdout,
          `${counted(counts.services, 'service')} in ${counted(statuses.length, 'tenant')} on ${session.cluster.description}: ` +
            `${counts.synced} synced, ${counts.outOfSync} out of sync, ${counts.missing} missing, ${counts.degraded} degraded, ` +
            `${counts.progressing} progressing, ${counts.notReady} without a ready version` +
            `${blind.length ? `, ${counted(blind.length, 'tenant')} watching nothing (${blind.map((t) => t.id).join(', ')})` : ''} — ${exitCode === 0 ? 'all good' : 'attention needed'}`,
        );
      }
      return exitCode;
    } finally {
      await session.close();
    }
  },
};
