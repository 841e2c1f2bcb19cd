/** The store a config names (DESIGN §11): the JSON file under the data dir, or the team store in the cluster. */
import path from 'node:path';
import { loadCluster } from '../adapters/kube.js';
import type { Config, StoreBackendName } from '../config.js';
import { UsageError } from '../errors.js';
import type { StoreBackend } from './backend.js';
import { KubeStore } from './kubernetes/store.js';
import { Store } from './store.js';

export function openStore(config: Pick<Config, 'dataDir' | 'keepPerService' | 'lockWaitMs' | 'store'>, backend: StoreBackendName = config.store.backend): StoreBackend {
  if (backend === 'file') return new Store(config.dataDir, config.keepPerService, { lockWaitMs: config.lockWaitMs });
  const { kubeconfigEnv: env, context } = config.store;
  // A single KUBECONFIG file is read as named (the config's environment, not necessarily this process's).
  const single = env.KUBECONFIG && !env.KUBECONFIG.includes(path.delimiter) ? env.KUBECONFIG : undefined;
  const cluster = loadCluster({ env, context, kubeconfig: single });
  if (!cluster) throw new UsageError('The store backend is kubernetes (ECP_STORE or store.backend), but no kubeconfig was found (KUBECONFIG or ~/.kube/config).');
  return new KubeStore(cluster, config.store.namespace, config.keepPerService);
}
