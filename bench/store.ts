/**
 * Store benchmark (issue 2): `versions register` and `versions list` at 100, 10 000 and 100 000
 * versions of one service. Reports the store work in-process and the whole CLI run, medians.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newVersion } from '../source/domain/versions.js';
import { Store } from '../source/store/store.js';

const root = path.resolve(import.meta.dirname, '..');
const ecp = path.join(root, 'bin', 'ecp.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const input = (tag: string) => ({
  serviceName: 'callbot',
  imageName: 'callbot',
  imageTag: tag,
  fullImageName: `localhost:5000/ecp-ai/callbot:${tag}`,
  gitCommit: 'abc1234',
  gitBranch: 'main',
});

async function seed(dataDir: string, count: number): Promise<Store> {
  const store = new Store(dataDir, 50);
  const start = Date.parse('2020-01-01T00:00:00Z');
  // One update through the real code path: retention moves all but the newest 50 to the archive.
  await store.update((data) => {
    for (let i = 0; i < count; i += 1) {
      data.versions.push(newVersion(input(`seed-${i}`), new Date(start + i * 1000), new Set()));
    }
  });
  return store;
}

function timeCli(args: string[]): number {
  const t = performance.now();
  execFileSync(process.execPath, [ecp, ...args], { stdio: 'ignore' });
  return performance.now() - t;
}

const rows: string[][] = [];
for (const count of [100, 10_000, 100_000]) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-store-'));
  const store = await seed(dataDir, count);
  const storeWork: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    const t = performance.now();
    const tag = `bench-${i}`;
    // As `versions register` does: the version and its audit event, one unit (docs/store.md).
    await store.update(async (data, unit) => {
      const image = `localhost:5000/ecp-ai/callbot:${tag}`;
      if (data.versions.some((v) => v.fullImageName === image) || (await store.isImageArchived(image))) throw new Error('dup');
      const version = newVersion(input(tag), new Date(), new Set(data.versions.map((v) => v.id)));
      data.versions.push(version);
      unit.audit({ actor: 'bench', action: 'version.register', target: version.id, details: { image } });
    });
    storeWork.push(performance.now() - t);
  }
  const cliRegister: number[] = [];
  const cliList: number[] = [];
  const cliListAll: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    const body = JSON.stringify({
      service_name: 'callbot',
      image_name: 'callbot',
      image_tag: `cli-${i}`,
      full_image_name: `localhost:5000/ecp-ai/callbot:cli-${i}`,
      git_commit: 'abc1234',
      git_branch: 'main',
    });
    cliRegister.push(timeCli(['--data-dir', dataDir, 'versions', 'register', '--json', body]));
    cliList.push(timeCli(['--data-dir', dataDir, 'versions', 'list', 'callbot']));
    cliListAll.push(timeCli(['--data-dir', dataDir, 'versions', 'list', 'callbot', '--all', '--limit', '20']));
  }
  rows.push([String(count), median(storeWork).toFixed(1), median(cliRegister).toFixed(0), median(cliList).toFixed(0), median(cliListAll).toFixed(0)]);
  rmSync(dataDir, { recursive: true, force: true });
}

console.log('versions of one service | register: store work ms (median of 30) | register: CLI ms | list: CLI ms (cold process) | list --all: CLI ms   (medians of 7)');
for (const r of rows) console.log(r.join(' | '));
console.log('targets: register store work < 20 ms at 100 000; cold `versions list` < 300 ms');
