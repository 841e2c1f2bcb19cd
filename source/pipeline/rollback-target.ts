/**
 * Where a rollback goes when no version is named (issue 14): one function, for `ecp rollback`
 * and for the console's dialog, over hot and archived records alike. Kept apart from the
 * rollback itself so the console can ask without loading the cluster client.
 */
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import type { LiveDeployment, LiveReplicaSet } from '../domain/kube-types.js';
import { chooseRollbackTarget, previousRevisionImage, replicaSetSelector } from '../domain/rollback.js';
import { isBlocked, isFailed } from '../domain/types.js';

/** The live Deployment, to fall back on its previous revision where ecp recorded nothing. */
export interface LiveRevisions {
  client: KubeClient;
  deployment: LiveDeployment;
  /** The service's image repository, to find its container in a ReplicaSet's template. */
  repository: string;
}

/**
 * The target of a rollback without --to, as `ecp rollback` and the console's dialog both choose
 * it: the newest succeeded deploy or rollback (hot or archived) of another image that is
 * neither blocked nor failed (hot or archived). Where there is none and `live` is given, the
 * live Deployment's previous revision (as `kubectl rollout undo` would pick it), if its image
 * is a registered version that is neither blocked nor failed.
 */
export async function defaultRollbackTarget(
  core: Core,
  tenantId: string,
  service: string,
  liveImage: string | undefined,
  live?: LiveRevisions,
): Promise<{ image: string; versionId?: string; revision?: number } | undefined> {
  const hot = (await core.store.read()).deployments;
  const records = [...hot, ...(await core.store.archivedDeployments(tenantId, hot))];
  const versions = await core.store.allVersions(service);
  const chosen = chooseRollbackTarget(records, versions, tenantId, service, liveImage);
  if (chosen) return { image: chosen.toImage, versionId: versions.find((v) => v.fullImageName === chosen.toImage)?.id ?? chosen.versionId };
  const namespace = live?.deployment.metadata?.namespace;
  if (!live || !namespace) return undefined;
  const replicaSets = ((await live.client.listReplicaSets(namespace, replicaSetSelector(live.deployment))) ?? []) as LiveReplicaSet[];
  const previous = previousRevisionImage(live.deployment, replicaSets, live.repository, service);
  if (!previous || previous.image === liveImage) return undefined;
  const version = versions.filter((v) => v.fullImageName === previous.image).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!version || isBlocked(version) || isFailed(version)) return undefined;
  return { image: previous.image, versionId: version.id, revision: previous.revision };
}
