/**
 * The sandbox's memory (issue 18's in-process console figure), `npx tsx bench/sandbox-memory.ts [runs]`:
 * `ecp sandbox` as its own process, seeded with the console bench's tenant (1 000 Deployments,
 * bench/lib/big-tenant.ts), answering what the console asks of it in bench/console.ts: lists of
 * every Deployment and StatefulSet, a watch of each, and a Deployment and its ReplicaSets for the
 * services the scroll stops at. Prints its peak RSS (VmHWM) once it serves and after those
 * requests, beside an idle node process's in the same run (the floor).
 * ECP_BENCH_HEAP_SNAPSHOT=dir: the last run also writes a heap snapshot there (--heapsnapshot-signal).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBigTenant } from './lib/big-tenant.js';

const root = path.resolve(import.meta.dirname, '..');
const ecp = path.join(root, 'bin', 'ecp.js');
const runs = Number(process.argv[2] ?? 3);
const snapshotDir = process.env.ECP_BENCH_HEAP_SNAPSHOT;
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-sandbox-memory-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function megabytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** The requests the console makes in bench/console.ts's walk, in that order. */
async function consoleTraffic(url: string, names: string[]): Promise<() => void> {
  const text = (p: string) => fetch(url + p).then((r) => r.text());
  const lists = () => Promise.all([text('/apis/apps/v1/deployments'), text('/apis/apps/v1/statefulsets')]);
  const first = JSON.parse((await lists())[0]) as { metadata: { resourceVersion: string } };
  const watching = new AbortController();
  for (const plural of ['deployments', 'statefulsets']) {
    void fetch(`${url}/apis/apps/v1/${plural}?watch=true&allowWatchBookmarks=true&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=20`, { signal: watching.signal })
      .then((r) => r.body?.pipeTo(new WritableStream()))
      .catch(() => undefined);
  }
  for (const [i, name] of names.entries()) {
    if (i % 17 !== 0) continue;
    await text(`/apis/apps/v1/namespaces/big/deployments/${name}`);
    await text(`/apis/apps/v1/namespaces/big/replicasets?labelSelector=app%3D${name}`);
  }
  for (let i = 0; i < 3; i += 1) await lists();
  return () => watching.abort();
}

/** An idle node process started as bin/ecp.js starts one (its first line's malloc setting). */
async function idleNode(): Promise<number> {
  const child = spawn('/usr/bin/env', ['-S', 'MALLOC_ARENA_MAX=2', process.execPath, '-e', "process.stdout.write('up'); setTimeout(() => {}, 1e9)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const hwm = megabytes(child.pid!, 'VmHWM');
  child.kill('SIGTERM');
  return hwm;
}

try {
  // Build the bundle first if a source changed (bin/ecp.js rebuilds it then), so no run pays for it.
  execFileSync(ecp, ['--version'], { stdio: 'ignore' });
  const manifestsDir = path.join(work, 'k8s-manifests');
  const names = writeBigTenant(manifestsDir);
  for (let run = 1; run <= runs; run += 1) {
    const kubeconfig = path.join(work, `kubeconfig-${run}`);
    const snapshot = snapshotDir && run === runs;
    const started = performance.now();
    const sandbox = spawn(ecp, ['sandbox', '--seed', manifestsDir, '--kubeconfig', kubeconfig], {
      stdio: 'ignore',
      cwd: snapshot ? snapshotDir : work,
      env: { ...process.env, ...(snapshot ? { NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' } : {}) },
    });
    try {
      // It writes the kubeconfig once it serves (the file may be there before its text).
      let url: string | undefined;
      while (!(url = existsSync(kubeconfig) ? /server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] : undefined)) {
        if (sandbox.exitCode !== null) throw new Error(`ecp sandbox exited with ${sandbox.exitCode}`);
        await sleep(20);
      }
      const serving = performance.now() - started;
      const atStart = megabytes(sandbox.pid!, 'VmHWM');
      const stopWatching = await consoleTraffic(url, names);
      await sleep(500);
      const peak = megabytes(sandbox.pid!, 'VmHWM');
      const now = megabytes(sandbox.pid!, 'VmRSS');
      stopWatching();
      if (snapshot) {
        const before = new Set(readdirSync(snapshotDir));
        sandbox.kill('SIGUSR2');
        let file: string | undefined;
        while (!(file = readdirSync(snapshotDir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f)))) await sleep(100);
        // The snapshot is complete once its size stops growing.
        for (let size = -1; size !== readFileSync(path.join(snapshotDir, file)).length; await sleep(500)) size = readFileSync(path.join(snapshotDir, file)).length;
        console.log(`  heap snapshot: ${path.join(snapshotDir, file)}`);
      }
      const floor = await idleNode();
      console.log(
        `ecp sandbox, 1 000 Deployments (the console bench's tenant), run ${run}: serving after ${serving.toFixed(0)} ms, peak RSS then ${atStart.toFixed(0)} MB; ` +
          `after the console's requests ${peak.toFixed(0)} MB (now ${now.toFixed(0)} MB); floor, an idle node process: ${floor.toFixed(0)} MB; load average ${os.loadavg()[0]!.toFixed(1)}`,
      );
    } finally {
      sandbox.kill('SIGTERM');
      await new Promise((resolve) => (sandbox.exitCode === null ? sandbox.once('exit', resolve) : resolve(undefined)));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
