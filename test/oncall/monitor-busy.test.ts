/**
 * An auto-rollback that meets another change holding the service (often the deploy whose rollout
 * it is, still waiting) says once that it waits and tries again after a while: the passes every
 * live change runs meanwhile neither retry nor repeat the lines (an operator saw three of each a
 * second). Once the holder lets go, the rollback runs.
 */
import { afterEach, expect, it } from 'vitest';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { Monitor, type MonitorEvent } from '../../source/monitor/monitor.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { deploy } from '../../source/pipeline/deploy.js';
import { holdingServices } from '../../source/pipeline/exclusive.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

it('says once that the auto-rollback waits for the service, and rolls back after the holder let go', async () => {
  const s = await scenario(undefined, 'autoRollback:\n  services: [callbot]\nrequireApproval: []\n');
  open.push(s);
  const deployCallbot = () => deploy(s.core, s.client, { tenant: 'test-download', services: ['callbot'], build: false, skipRegistryCheck: true, timeoutMs: 20_000 });
  await s.release('callbot:v2');
  expect((await deployCallbot()).ok).toBe(true);
  await s.release('callbot:broken');
  s.sandbox.setFailImage(/:broken$/);
  expect((await deployCallbot()).ok).toBe(false);

  const monitor = new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)), rollbackTimeoutMs: 20_000, skipRegistryCheck: true });
  const said: string[] = [];
  monitor.on('event', (e: MonitorEvent) => said.push(e.message));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const holder = holdingServices(s.core, 'test-download', ['callbot'], 'deploy', 'a slow rollout', async () => {
    holding();
    await released;
  });
  await held;
  for (let pass = 0; pass < 3; pass++) await monitor.tick();
  expect(said.filter((m) => m.includes('rolling back automatically'))).toHaveLength(1);
  expect(said.filter((m) => m.includes('auto-rollback waits'))).toEqual([expect.stringMatching(/callbot in test-download is being deployed by operator@example\.test since/)]);
  expect(await s.liveImage('test-download', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:broken');

  release();
  await holder;
  // The monitor runs on its own now: its retry comes after the wait, with no live change needed.
  const done = new Promise<string>((resolve) => monitor.on('event', (e: MonitorEvent) => e.message.includes('auto-rollback to') && resolve(e.message)));
  monitor.start(60_000);
  try {
    expect(await done).toBe('test-download/callbot: auto-rollback to localhost:5000/ecp-ai/callbot:v2 succeeded');
  } finally {
    monitor.stop();
  }
  expect(said.filter((m) => m.includes('auto-rollback waits'))).toHaveLength(1);
}, 120_000);
