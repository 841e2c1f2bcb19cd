/**
 * The real control plane of scripts/kube-env.sh, for the benchmarks: whether one is there, the
 * sandbox's generated Deployments created on it as fast as the API takes them, and ecp's own
 * requests read back from the API server's audit log.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1Deployment } from '@kubernetes/client-node';
import type { SeedObject } from '../../source/sandbox/seed.js';

export interface RealCluster {
  kubeconfig: string;
  /** The folder with audit.log. */
  dir: string;
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
}

/** The control plane kube-env.sh started for this run, or why there is none (one line). */
export function realCluster(): RealCluster | string {
  const { ECP_TEST_REAL_CLUSTER, KUBECONFIG, ECP_KUBE_ENV_DIR, ECP_TEST_REAL_CLUSTER_WHY } = process.env;
  if (ECP_TEST_REAL_CLUSTER !== '1' || !KUBECONFIG || !ECP_KUBE_ENV_DIR) {
    return `no real control plane (${ECP_TEST_REAL_CLUSTER_WHY ?? 'ECP_TEST_REAL_CLUSTER is not set'}): run it as scripts/kube-env.sh npm run bench`;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return { kubeconfig: KUBECONFIG, dir: ECP_KUBE_ENV_DIR, kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const code = (error: unknown) => (error as { code?: number }).code;

/**
 * Creates the namespaces of `seeds` and server-side applies their Deployments as field manager
 * ecp (as `ecp apply` leaves them, as the sandbox seeds them), many requests in flight (the API
 * server throttles at its max-requests-inflight). Applying an unchanged object changes nothing.
 */
export async function applySeeds(cluster: RealCluster, seeds: readonly SeedObject[], concurrency = 64): Promise<{ applied: number; ms: number }> {
  const started = performance.now();
  const ignoreExisting = (error: unknown) => {
    if (code(error) !== 409) throw error;
  };
  const namespaces = [...new Set(seeds.map((s) => s.namespace))];
  await pool(namespaces, concurrency, (name) => cluster.core.createNamespace({ body: { metadata: { name } } }).then(() => undefined, ignoreExisting));
  await pool(seeds, concurrency, async (s) => {
    const body = { ...s.object, metadata: { ...s.object.metadata, namespace: s.namespace } };
    const name = String(s.object.metadata.name);
    await cluster.apps.patchNamespacedDeployment({ name, namespace: s.namespace, body, fieldManager: 'ecp', force: true }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
  });
  return { applied: seeds.length, ms: performance.now() - started };
}

/**
 * Deletes these namespaces' Deployments at once (one request each; their ReplicaSets and pods
 * go in the background), then the namespaces themselves, except the system ones.
 */
export async function deleteNamespaces(cluster: RealCluster, namespaces: readonly string[]): Promise<void> {
  const ignoreMissing = (error: unknown) => {
    if (code(error) !== 404) throw error;
  };
  await pool(namespaces, 16, async (namespace) => {
    await cluster.apps.deleteCollectionNamespacedDeployment({ namespace, propagationPolicy: 'Background' }).catch(ignoreMissing);
    if (namespace !== 'default' && !namespace.startsWith('kube-')) await cluster.core.deleteNamespace({ name: namespace }).catch(ignoreMissing);
  });
}

/** How many pods the cluster's (kwok) nodes take in all. */
export async function podCapacity(cluster: RealCluster): Promise<number> {
  const nodes = await cluster.core.listNode();
  return nodes.items.reduce((sum, n) => sum + Number(n.status?.allocatable?.pods ?? 0), 0);
}

/**
 * Makes the seeds the cluster's only Deployments: namespaces holding other Deployments go
 * (an earlier size or bench), the seeds are applied, and it waits until all are available.
 * Returns how long applying took and how long kwok then took to make the pods ready.
 */
export async function replaceSeeds(cluster: RealCluster, seeds: readonly SeedObject[], timeoutMs: number) {
  const wanted = new Set(seeds.map((s) => s.namespace));
  const present = await cluster.apps.listDeploymentForAllNamespaces();
  const stale = [...new Set(present.items.map((d) => d.metadata!.namespace!))].filter((ns) => !wanted.has(ns));
  await deleteNamespaces(cluster, stale);
  const creation = await applySeeds(cluster, seeds);
  const availableMs = await waitAllAvailable(cluster, seeds.length, timeoutMs);
  return { ...creation, deletedNamespaces: stale.length, availableMs };
}

const isAvailable = (d: V1Deployment) =>
  (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1);

/**
 * Waits until the cluster holds exactly `count` Deployments, every one available (kwok's pods
 * Running and Ready): one list, then a watch from it. Returns how long that took.
 */
export async function waitAllAvailable(cluster: RealCluster, count: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const key = (d: V1Deployment) => `${d.metadata?.namespace}/${d.metadata?.name}`;
  const list = await cluster.apps.listDeploymentForAllNamespaces();
  const all = new Map(list.items.map((d) => [key(d), isAvailable(d)]));
  const done = () => all.size === count && [...all.values()].every(Boolean);
  if (done()) return performance.now() - started;
  let controller: AbortController | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiting = [...all.values()].filter((a) => !a).length;
        reject(new Error(`after ${timeoutMs} ms the cluster has ${all.size} Deployments (want ${count}), ${waiting} not available`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      void new Watch(cluster.kc)
        .watch(
          '/apis/apps/v1/deployments',
          { resourceVersion: list.metadata?.resourceVersion },
          (type: string, d: V1Deployment) => {
            if (type === 'DELETED') all.delete(key(d));
            else if (type === 'ADDED' || type === 'MODIFIED') all.set(key(d), isAvailable(d));
            if (done()) finish();
          },
          (error: unknown) => (error ? reject(error) : undefined),
        )
        .then((c) => (controller = c), reject);
    });
  } finally {
    controller?.abort();
  }
  return performance.now() - started;
}

export interface AuditEvent {
  verb: string;
  requestURI: string;
  userAgent?: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

function readFrom(file: string, offset: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, statSync(file).size - offset));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

const parseEvents = (buffer: Buffer): AuditEvent[] =>
  buffer
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);

/** The API server's audit log (one JSON line per request), read from a remembered offset on. */
export class AuditLog {
  private readonly file: string;
  constructor(dir: string) {
    this.file = path.join(dir, 'audit.log');
  }

  /** Where the log ends now. */
  mark(): number {
    return statSync(this.file).size;
  }

  /** Every event written after `offset`; across a rotation, the rest of the file rotated out (`audit-<time>.log`) too. */
  since(offset: number): AuditEvent[] {
    const size = statSync(this.file).size;
    if (size >= offset) return parseEvents(readFrom(this.file, offset));
    const dir = path.dirname(this.file);
    const rotated = readdirSync(dir)
      .filter((f) => /^audit-.+\.log$/.test(f))
      .sort()
      .at(-1);
    return parseEvents(Buffer.concat([rotated ? readFrom(path.join(dir, rotated), offset) : Buffer.alloc(0), readFrom(this.file, 0)]));
  }
}
