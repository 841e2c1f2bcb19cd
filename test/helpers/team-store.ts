/** The team store (issue 16) on a test target: a fresh namespace, and stores opened as separate operators would. */
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadCluster } from '../../source/adapters/kube.js';
import { loadConfig } from '../../source/config.js';
import type { Core } from '../../source/core.js';
import { KubeStore } from '../../source/store/kubernetes/store.js';
import { type ClusterTarget, startTarget, type TargetKind } from './cluster-target.js';
import { repoRoot } from './run-ecp.js';
import { tempDir } from './temp.js';

/**
 * The target shared by the tests of a describeTargets body: started once before them, stopped
 * after them (the real control plane is held that long). Use it in a hook or a test.
 */
export function sharedTarget(kind: TargetKind): ClusterTarget {
  let started: ClusterTarget | undefined;
  beforeAll(async () => {
    started = await startTarget(kind);
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  }, 180_000);
  return new Proxy({} as ClusterTarget, {
    get(_, key) {
      if (!started) throw new Error('the shared target starts in beforeAll: use it in a hook or a test');
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}

/** Creates a namespace of its own for one test's store. */
export async function storeNamespace(target: ClusterTarget): Promise<string> {
  const namespace = `ecp-store-${randomBytes(3).toString('hex')}`;
  const r = await target.kubectl(['create', 'namespace', namespace]);
  if (r.code !== 0) throw new Error(`kubectl create namespace failed: ${r.stderr}`);
  return namespace;
}

export function openTeamStore(target: ClusterTarget, namespace: string, keepPerService = 50, kubeconfig = target.kubeconfig): KubeStore {
  return new KubeStore(loadCluster({ env: {}, kubeconfig })!, namespace, keepPerService);
}

/**
 * A core on `store` (an operator's), acting as `actor`, its config from an empty folder; with
 * `manifests`, that folder holds a copy of the repository's k8s-manifests.
 */
export function teamCore(store: KubeStore, actor = 'ops@example.com', options: { manifests?: boolean } = {}): Core {
  const dir = tempDir();
  if (options.manifests) cpSync(path.join(repoRoot, 'k8s-manifests'), path.join(dir, 'k8s-manifests'), { recursive: true });
  return { config: loadConfig({ cwd: dir, env: {} }), store, audit: store.audit, actor: async () => actor };
}
