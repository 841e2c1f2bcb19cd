/** The team store (issue 16) on a test target: a fresh namespace, and stores opened as separate operators would. */
import { randomBytes } from 'node:crypto';
import { loadCluster } from '../../source/adapters/kube.js';
import { KubeStore } from '../../source/store/kubernetes/store.js';
import type { ClusterTarget } from './cluster-target.js';

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
