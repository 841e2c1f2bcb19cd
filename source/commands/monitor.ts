import { KubeClient } from '../adapters/kube.js';
import { createCore } from '../core.js';
import { DURATION_BOUNDS, durationProblem } from '../domain/duration.js';
import { UsageError } from '../errors.js';
import { LiveStateWatcher } from '../monitor/live-state.js';
import { Monitor } from '../monitor/monitor.js';
import { tenantNamespaces } from '../monitor/status-view.js';
import { openCluster } from './cluster-option.js';
import { println, type Command } from './command.js';
import { intFlag, stringFlag } from './flags.js';

export const monitorCommand: Command = {
  name: 'monitor',
  summary: 'watch every tenant, keep deployment records current and apply the auto-rollback policy',
  usage: '  ecp monitor [--interval S] [--tenant T] [--context C | --sandbox]',
  flags: { interval: { type: 'number' } },
  // It rolls back by itself only when the policy names services.
  mutating: (ctx) => ctx.config.autoRollback.services.length > 0,
  async run(ctx) {
    const intervalSeconds = intFlag(ctx, 'interval', 1) ?? ctx.config.monitorIntervalSeconds;
    const tooLong = durationProblem(`--interval ${intervalSeconds}`, intervalSeconds * 1000, DURATION_BOUNDS.monitorInterval);
    if (tooLong) throw new UsageError(tooLong);
    const session = await openCluster(ctx);
    if (!session) throw new UsageError('No cluster is configured: set KUBECONFIG (or ~/.kube/config), pass --context, or use --sandbox.');
    const core = createCore(ctx.config);
    const client = new KubeClient(session.cluster);
    let namespaces: readonly string[] = [];
    const watcher = new LiveStateWatcher(client, { namespaces: () => namespaces });
    await watcher.start();
    const monitor = new Monitor(core, client, {
      tenant: stringFlag(ctx, 'tenant'),
      readLive: async (tenants) => {
        namespaces = tenantNamespaces(tenants);
        await watcher.refresh();
        return watcher.snapshot();
      },
    });
    monitor.on('event', (e: { at: string; level: string; message: string }) => println(ctx.io.stdout, `${e.at} ${e.level.toUpperCase().padEnd(5)} ${e.message}`));
    println(ctx.io.stdout, `${new Date().toISOString()} INFO  monitoring ${session.cluster.description} every ${intervalSeconds} s; auto-rollback for: ${ctx.config.autoRollback.services.join(', ') || 'no service'}`);
    monitor.start(intervalSeconds * 1000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    monitor.stop();
    await watcher.stop();
    await session.close();
    return 0;
  },
};
