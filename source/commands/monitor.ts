import { createCore } from '../core.js';
import { DURATION_BOUNDS, durationProblem } from '../domain/duration.js';
import { UsageError } from '../errors.js';
import { LiveStateWatcher } from '../monitor/live-state.js';
import { Monitor } from '../monitor/monitor.js';
import { tenantNamespaces } from '../monitor/status-view.js';
import { requireCluster } from './cluster-option.js';
import { println, type Command } from './command.js';
import { boolFlag, intFlag, stringFlag } from './flags.js';

export const monitorCommand: Command = {
  name: 'monitor',
  usage:
    '  ecp monitor [--interval S] [--tenant T] [--skip-registry-check] [--context C | --sandbox]\n\n  --skip-registry-check  auto-rollbacks write the manifest without checking the image in the registry (audited)',
  flags: { interval: { type: 'number' }, skipRegistryCheck: { type: 'boolean' } },
  // It rolls back by itself only when the policy names services.
  mutating: (ctx) => ctx.config.autoRollback.services.length > 0,
  async run(ctx) {
    const intervalSeconds = intFlag(ctx, 'interval', 1) ?? ctx.config.monitorIntervalSeconds;
    const tooLong = durationProblem(`--interval ${intervalSeconds}`, intervalSeconds * 1000, DURATION_BOUNDS.monitorInterval);
    if (tooLong) throw new UsageError(tooLong);
    const session = await requireCluster(ctx);
    const core = createCore(ctx.config);
    const client = session.client;
    let namespaces: readonly string[] = [];
    const watcher = new LiveStateWatcher(client, { namespaces: () => namespaces });
    await watcher.start();
    const monitor = new Monitor(core, client, {
      tenant: stringFlag(ctx, 'tenant'),
      skipRegistryCheck: boolFlag(ctx, 'skipRegistryCheck'),
      readLive: async (tenants) => {
        namespaces = tenantNamespaces(tenants);
        return watcher.snapshot();
      },
      changes: watcher,
    });
    const relist = setInterval(() => void watcher.refresh(), intervalSeconds * 1000);
    monitor.on('event', (e: { at: string; level: string; message: string }) => println(ctx.io.stdout, `${e.at} ${e.level.toUpperCase().padEnd(5)} ${e.message}`));
    println(
      ctx.io.stdout,
      `${new Date().toISOString()} INFO  monitoring ${session.cluster.description} every ${intervalSeconds} s; auto-rollback for: ${ctx.config.autoRollback.services.join(', ') || 'no service'}`,
    );
    monitor.start(intervalSeconds * 1000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    monitor.stop();
    clearInterval(relist);
    await watcher.stop();
    await session.close();
    return 0;
  },
};
