/** The store a config names (DESIGN §11): the JSON file under the data dir, or the team store in the cluster. */
import path from 'node:path';
import type { Config, StoreBackendName } from '../config.js';
import { UsageError } from '../errors.js';
import type { StoreBackend } from './backend.js';
import { Store } from './store.js';

type TeamStoreModules = [typeof import('../adapters/kube.js'), typeof import('./kubernetes/store.js')];

/**
 * The team store's code: loaded only for a config that names it, since it brings the Kubernetes
 * client (2 MB of JavaScript, most of `ecp versions list`'s start-up on the file store).
 */
let teamStore: TeamStoreModules | undefined;

/** Loads the code of `backend`, for `openStore`: once per process, before the first store of the kubernetes backend is opened. */
export async function loadStoreBackend(backend: StoreBackendName): Promise<void> {
  if (backend === 'kubernetes') teamStore ??= await Promise.all([import('../adapters/kube.js'), import('./kubernetes/store.js')]);
}

export function openStore(config: Pick<Config, 'dataDir' | 'keepPerService' | 'lockWaitMs' | 'store'>, backend: StoreBackendName = config.store.backend): StoreBackend {
  if (backend === 'file') return new Store(config.dataDir, config.keepPerService, { lockWaitMs: config.lockWaitMs });
  if (!teamStore) throw new Error('openStore: the kubernetes backend is not loaded (await loadStoreBackend first).');
  const [{ loadCluster }, { KubeStore }] = teamStore;
  const { kubeconfigEnv: env, context } = config.store;
  // A single KUBECONFIG file is read as named (the config's environment, not necessarily this process's).
  const single = env.KUBECONFIG && !env.KUBECONFIG.includes(path.delimiter) ? env.KUBECONFIG : undefined;
  const cluster = loadCluster({ env, context, kubeconfig: single });
  if (!cluster) throw new UsageError('The store backend is kubernetes (ECP_STORE or store.backend), but no kubeconfig was found (KUBECONFIG or ~/.kube/config).');
  return new KubeStore(cluster, config.store.namespace, config.keepPerService);
}
