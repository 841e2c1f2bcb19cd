/**
 * Issue 17: GET /health says what the server can reach — a store that does not parse and a
 * cluster that went away turn it 503, and requests that need them say why, in one sentence.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertCleanError } from './state.js';
import { serverWorld, type ServerWorld } from './world.js';

let w: ServerWorld;
beforeAll(async () => {
  w = await serverWorld();
});
afterAll(async () => {
  await w?.stop();
});

it('a store that does not parse: 503 naming the file, and the file is kept as it was', async () => {
  const file = path.join(w.s.dataDir, 'store.json');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, '{"versions": [');
  const health = await w.call('GET', '/health');
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ status: 'degraded', store: { ok: false, error: expect.stringContaining(file) } });
  const list = await w.call('GET', '/api/v1/image-management/versions/callbot', { role: 'reader' });
  expect(list.status).toBe(503);
  assertCleanError(list);
  expect(list.body.message).toMatch(/does not parse .*it was left unchanged/);
  const register = await w.call('POST', '/api/v1/image-management/versions/register', {
    role: 'operator',
    body: { service_name: 'callbot', image_name: 'callbot', image_tag: 'v1', full_image_name: 'localhost:5000/ecp-ai/callbot:v1', git_commit: 'a', git_branch: 'main' },
  });
  expect(register.status).toBe(503);
  expect(readFileSync(file, 'utf8')).toBe('{"versions": [');
  writeFileSync(file, good);
  expect((await w.call('GET', '/health')).status).toBe(200);
});

it('a cluster that went away: /health is 503 with the reason, the status report says Unknown', async () => {
  await w.s.sandbox.stop();
  let health = await w.call('GET', '/health');
  // The watcher notices when its watch breaks; wait for that, bounded.
  for (let i = 0; i < 100 && health.status === 200; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    health = await w.call('GET', '/health');
  }
  expect(health.status).toBe(503);
  expect(health.body.cluster).toMatchObject({ configured: true, reachable: false, error: expect.any(String) });
  const status = await w.call('GET', '/api/v1/image-management/deployments/test-download/status', { role: 'reader' });
  expect(status.status).toBe(200);
  expect(status.body.tenants[0].rows.map((r: { sync: string }) => r.sync)).toEqual(['Unknown', 'Unknown', 'Unknown']);
});
