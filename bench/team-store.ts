/**
 * Team store benchmark (issue 16): `versions register` and `versions list` store work with the
 * kubernetes backend, against the sandbox and (under scripts/kube-env.sh) the real control plane;
 * one writer and three concurrent writers (each its own store, as three machines; and each
 * registration from a new store, as one `ecp versions register` process makes it). Median and p95
 * of the pipeline call (registerVersion, listVersions), in-process, with the store's requests per
 * register and the 409s among them (the sandbox's request log, the API server's audit log).
 * Targets: register p95 ≤ 50 ms with three writers on the real control plane; a list of 50 hot
 * versions ≤ 30 ms.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadCluster } from '../source/adapters/kube.js';
import { loadConfig } from '../source/config.js';
import type { Core } from '../source/core.js';
import { listVersions } from '../source/pipeline/version-queries.js';
import { registerVersion } from '../source/pipeline/versions.js';
import { KubeStore } from '../source/store/kubernetes/store.js';
import { startSandbox } from '../source/sandbox/index.js';
import { median } from './lib/measure.js';
import { AuditLog, realCluster } from './lib/real-cluster.js';

const p95 = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const input = (service: string, tag: string) => ({
  serviceName: service,
  imageName: service,
  imageTag: tag,
  fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`,
  gitCommit: 'abc1234',
  gitBranch: 'main',
});
const PER_WRITER = 40;

/** The store's requests in one namespace since a mark, and how many were answered 409. */
interface RequestCounter {
  mark(): number;
  since(mark: number, namespace: string): { requests: number; conflicts: number };
}

async function run(label: string, kubeconfig: string, counter: RequestCounter): Promise<string[][]> {
  const cluster = loadCluster({ env: {}, kubeconfig })!;
  const namespace = `ecp-bench-${randomBytes(3).toString('hex')}`;
  const core = cluster.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-team-'));
  const config = loadConfig({ cwd: dir, env: {} });
  const coreOf = (actor: string): Core => {
    const store = new KubeStore(loadCluster({ env: {}, kubeconfig })!, namespace, 50);
    return { config, store, audit: store.audit, actor: async () => actor };
  };
  try {
    const seeder = coreOf('seed@example.com');
    for (let i = 0; i < 50; i++) await registerVersion(seeder, input('callbot', `seed-${i}`));
    // `fresh`: each registration from a store of its own, as one `ecp versions register` process does (it lists the store once).
    const timeRegisters = async (writers: number, fresh = false) => {
      const times: number[] = [];
      const mark = counter.mark();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          let c = coreOf(`ops${w}@example.com`);
          for (let i = 0; i < PER_WRITER; i++) {
            if (fresh) c = coreOf(`ops${w}@example.com`);
            const t = performance.now();
            await registerVersion(c, input(`svc${w}`, `${writers}w${fresh ? 'f' : ''}-${i}`));
            times.push(performance.now() - t);
          }
        }),
      );
      return { times, ...counter.since(mark, namespace) };
    };
    const one = await timeRegisters(1);
    const three = await timeRegisters(3);
    const threeFresh = await timeRegisters(3, true);
    const lists: number[] = [];
    const reader = coreOf('reader@example.com');
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      const hot = await listVersions(reader, 'callbot', { limit: 50 });
      lists.push(performance.now() - t);
      if (hot.length !== 50) throw new Error(`expected 50 hot versions, listed ${hot.length}`);
    }
    const row = (what: string, xs: number[], counted?: { requests: number; conflicts: number }) => [
      label,
      what,
      String(xs.length),
      median(xs).toFixed(1),
      p95(xs).toFixed(1),
      counted ? (counted.requests / xs.length).toFixed(1) : '',
      counted ? (counted.conflicts / xs.length).toFixed(2) : '',
      os.loadavg()[0]!.toFixed(2),
    ];
    return [
      row('register, 1 writer', one.times, one),
      row('register, 3 writers', three.times, three),
      row('register, 3 writers, each a new store', threeFresh.times, threeFresh),
      row('list 50 hot versions', lists),
    ];
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
const sandbox = await startSandbox({ rollouts: false });
const sandboxKc = await sandbox.writeKubeconfig(path.join(mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-kc-')), 'kubeconfig'));
rows.push(
  ...(await run('sandbox', sandboxKc, {
    mark: () => sandbox.requests().length,
    since: (mark, namespace) => {
      const seen = sandbox
        .requests()
        .slice(mark)
        .filter((r) => r.namespace === namespace);
      return { requests: seen.length, conflicts: seen.filter((r) => r.code === 409).length };
    },
  })),
);
await sandbox.stop();
const real = realCluster();
if (typeof real === 'string') console.log(`real control plane skipped: ${real}`);
else {
  const log = new AuditLog(real.dir);
  rows.push(
    ...(await run('real control plane', real.kubeconfig, {
      mark: () => log.mark(),
      since: (mark, namespace) => {
        // The audit log's ResponseComplete stage: one line per request answered.
        const seen = log.since(mark).filter((e) => e.objectRef?.namespace === namespace && (e as { stage?: string }).stage === 'ResponseComplete');
        return { requests: seen.length, conflicts: seen.filter((e) => e.responseStatus?.code === 409).length };
      },
    })),
  );
}

const header = ['target', 'operation', 'n', 'median ms', 'p95 ms', 'requests/op', '409s/op', 'load'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
