/**
 * A monitor pass whose store write fails (the store locked past ECP_LOCK_TIMEOUT here; a team
 * store's API server gone in the field) says so in its log and ends: the pass never rejects, so
 * `ecp monitor` and the console's monitor do not die of an unhandled rejection, and the next
 * pass tries again.
 */
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createCore } from '../../source/core.js';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { Monitor, type MonitorEvent } from '../../source/monitor/monitor.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { acquireLock } from '../../source/store/lock.js';
import { scenario } from '../helpers/scenario.js';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

it('logs a store write that failed mid-pass and ends the pass, the record left for the next', async () => {
  const s = await scenario(undefined, 'requireApproval: []\n', 'sandbox');
  stops.push(() => s.stop());
  // A deploy of the image that runs now, never seen through: the pass settles it as succeeded.
  const seed = 'localhost:5000/ecp-ai/callbot:v1.0.0-seed01';
  await s.core.store.update((data) => {
    data.deployments.push({
      id: 'dep-open',
      tenantId: 'test-download',
      namespace: 'test-download',
      serviceName: 'callbot',
      fromImage: seed,
      toImage: seed,
      kind: 'deploy',
      status: 'progressing',
      actor: 'operator@example.test',
      startedAt: new Date().toISOString(),
    });
  });
  const core = createCore({ ...s.core.config, lockWaitMs: 1_000 });
  const monitor = new Monitor(core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)) });
  const events: MonitorEvent[] = [];
  monitor.on('event', (event: MonitorEvent) => events.push(event));

  const held = await acquireLock(path.join(s.core.config.dataDir, 'store.json'));
  stops.push(() => held.release());
  await expect(monitor.tick()).resolves.toBeInstanceOf(Array);
  expect(events.filter((e) => e.level === 'error').map((e) => e.message)).toEqual([expect.stringMatching(/^settling records failed: .*store\.json/)]);
  expect((await s.core.store.read()).deployments.find((d) => d.id === 'dep-open')?.status).toBe('progressing');

  held.release();
  await monitor.tick();
  expect((await s.core.store.read()).deployments.find((d) => d.id === 'dep-open')?.status).toBe('succeeded');
}, 120_000);
