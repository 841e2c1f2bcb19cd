/**
 * Issue 17: two rollbacks of the same service at once through `ecp serve`: one runs, the other
 * is refused with 409 naming the first (who, why, since when), and changes nothing.
 */
import { watch } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deploy } from '../../source/pipeline/deploy.js';
import { describeRegistry } from '../helpers/registry.js';
import { assertCleanError } from './state.js';
import { serverWorld, type ServerWorld } from './world.js';

const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;
const ROLLBACK = '/api/v1/image-management/deployments/test-download/callbot/rollback';

/** Resolves when a lock file appears in `dir` (the first rollback holds the service). */
function lockTaken(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.endsWith('.lock')) {
        watcher.close();
        resolve();
      }
    });
  });
}

await describeRegistry('concurrent rollbacks through ecp serve (issue 17)', (registry) => {
  let w: ServerWorld;
  beforeAll(async () => {
    w = await serverWorld({ registry });
    for (const tag of ['v2.0.0-one', 'v3.0.0-two']) {
      await w.s.release(`callbot:${tag}`);
      expect((await deploy(w.s.core, w.s.client, { tenant: 'test-download', services: ['callbot'], build: false, timeoutMs: 20_000 })).ok).toBe(true);
    }
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('runs one and refuses the other with 409 naming the first', async () => {
    const taken = lockTaken(path.join(w.s.dataDir, 'locks'));
    const first = w.call('POST', ROLLBACK, { role: 'operator', body: { reason: 'first: v3 is slow' } });
    await taken;
    const second = await w.call('POST', ROLLBACK, { role: 'operator', body: { reason: 'second' } });
    expect(second.status).toBe(409);
    assertCleanError(second);
    expect(second.body.message).toMatch(/^callbot in test-download is being rolled back by ci@example\.com since \d\d:\d\d:\d\d \(lock file \S+test-download\.callbot\.lock\)\.$/);

    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ ok: true, to: image('v2.0.0-one') });
    const rollbacks = (await w.s.core.store.read()).deployments.filter((d) => d.kind === 'rollback');
    expect(rollbacks.map((d) => d.reason)).toEqual(['first: v3 is slow']);
    expect((await w.s.core.audit.list()).filter((e) => e.action === 'deploy.rollback')).toHaveLength(1);

    // Once the first is done the service is free again (here: nowhere further back to go).
    const after = await w.call('POST', ROLLBACK, { role: 'operator', body: { reason: 'third' } });
    expect(after.status).toBe(409);
    expect(after.body.message).toMatch(/No earlier good version/);

    // Naming the version (to_version_id) goes there, as `ecp rollback --to` does.
    const seed = (await w.s.core.store.read()).versions.find((v) => v.fullImageName === image('v1.0.0-seed01'))!;
    const named = await w.call('POST', ROLLBACK, { role: 'operator', body: { reason: 'back to the seed', to_version_id: seed.id } });
    expect(named.status, named.text).toBe(200);
    expect(named.body).toMatchObject({ ok: true, from: image('v2.0.0-one'), to: image('v1.0.0-seed01'), record: { version_id: seed.id } });
    expect(await w.s.liveImage('test-download', 'callbot')).toBe(image('v1.0.0-seed01'));
    const unknown = await w.call('POST', ROLLBACK, { role: 'operator', body: { reason: 'x', to_version_id: 'callbot-v0-1' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('No version has the id "callbot-v0-1".');
  });
});
