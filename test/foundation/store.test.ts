import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Store } from '../../source/store/store.js';
import { runEcpInProcess } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'register-worker.ts');

function runWorker(dataDir: string, service: string, count: number, keep = 100_000) {
  const child = fork(worker, [dataDir, service, String(count), String(keep)], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 1))));
  return { child, done };
}

const body = (service: string, tag: string) =>
  JSON.stringify({ service_name: service, image_name: service, image_tag: tag, full_image_name: `localhost:5000/ecp-ai/${service}:${tag}`, git_commit: 'abc1234', git_branch: 'main' });

describe('store under concurrent writers', () => {
  it('loses no record when three processes register 200 versions each at once', async () => {
    const dataDir = tempDir();
    const runs = [runWorker(dataDir, 'callbot', 200), runWorker(dataDir, 'callbot', 200), runWorker(dataDir, 'callbot', 200)];
    expect(await Promise.all(runs.map((r) => r.done))).toEqual([0, 0, 0]);
    const data = await new Store(dataDir, 100_000).read();
    expect(data.versions).toHaveLength(600);
    expect(new Set(data.versions.map((v) => v.id)).size).toBe(600);
  });

  it('leaves a store that parses when a writer is killed with SIGKILL mid-write', async () => {
    const dataDir = tempDir();
    const { child, done } = runWorker(dataDir, 'chatbot', 100_000);
    await new Promise<void>((resolve) => {
      child.on('message', (m: { written: number }) => {
        if (m.written === 30) resolve();
      });
    });
    child.kill('SIGKILL');
    await done;
    const store = new Store(dataDir, 100_000);
    const before = (await store.read()).versions.length;
    expect(before).toBeGreaterThanOrEqual(30);
    // The killed writer's lock goes stale and is taken over; the next write succeeds.
    await store.update((data) => {
      data.approvals.push({ id: 'a1', action: 'deploy', tenantId: 't', namespace: 't', images: {}, requestedBy: 'x', requestedAt: new Date().toISOString(), status: 'pending' });
    });
    const after = await store.read();
    expect(after.versions.length).toBe(before);
    expect(after.approvals).toHaveLength(1);
  }, 30_000);
});

describe('store files', () => {
  it('reports a corrupt store with file and line and leaves it byte-for-byte unchanged', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'store.json');
    const corrupt = '{\n "schemaVersion": 1,\n "versions": [\n  {"id": "x",}\n ]\n}\n';
    writeFileSync(file, corrupt);
    const result = await runEcpInProcess(['--data-dir', dataDir, 'versions', 'register', '--data', body('callbot', 'v1')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/line 4, column \d+/);
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
    const list = await runEcpInProcess(['--data-dir', dataDir, 'versions', 'list', 'callbot']);
    expect(list.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
  });

  it('migrates a store without a schema version and refuses one from a newer ecp', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'store.json');
    writeFileSync(file, JSON.stringify({ versions: [] }));
    expect((await runEcpInProcess(['--data-dir', dataDir, 'versions', 'register', '--data', body('callbot', 'v1')])).code).toBe(0);
    const migrated = JSON.parse(readFileSync(file, 'utf8'));
    expect(migrated.schemaVersion).toBe(1);
    expect(migrated.deployments).toEqual([]);
    expect(migrated.versions).toHaveLength(1);

    const newer = JSON.stringify({ schemaVersion: 99, versions: [], deployments: [], approvals: [] });
    writeFileSync(file, newer);
    const refused = await runEcpInProcess(['--data-dir', dataDir, 'versions', 'list', 'callbot']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/schema version 99, newer than this ecp understands/);
    expect(readFileSync(file, 'utf8')).toBe(newer);
  });

  it('moves versions beyond the retention bound to the archive, which --all still lists', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ecp.config.yaml'), 'history:\n  keepPerService: 3\n');
    const opts = { cwd: dir };
    for (let i = 1; i <= 5; i += 1) {
      expect((await runEcpInProcess(['versions', 'register', '--data', body('advisor', `v${i}`)], opts)).code).toBe(0);
    }
    const hot = JSON.parse(readFileSync(path.join(dir, 'data', 'store.json'), 'utf8'));
    expect(hot.versions.map((v: { imageTag: string }) => v.imageTag).sort()).toEqual(['v3', 'v4', 'v5']);
    expect(existsSync(path.join(dir, 'data', 'archive', 'versions', 'advisor.jsonl'))).toBe(true);

    const all = JSON.parse((await runEcpInProcess(['versions', 'list', 'advisor', '--all', '--json'], opts)).stdout);
    expect(all.map((v: { imageTag: string }) => v.imageTag)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    const recent = JSON.parse((await runEcpInProcess(['versions', 'list', 'advisor', '--json'], opts)).stdout);
    expect(recent).toHaveLength(3);

    // An archived image is still known: registering it again is refused.
    const again = await runEcpInProcess(['versions', 'register', '--data', body('advisor', 'v1')], opts);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already registered/);
    // And an archived version can still be shown.
    const shown = await runEcpInProcess(['versions', 'show', all[4].id], opts);
    expect(shown.stdout).toContain('localhost:5000/ecp-ai/advisor:v1');
  });
});
