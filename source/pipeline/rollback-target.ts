/**
 * Where a rollback goes when no version is named (issue 14): one function, for `ecp rollback`
 * (and so the monitor's auto-rollback) and for the console's dialog, over hot and archived
 * records alike, and — where ecp recorded nothing — over the live workloads' revisions. Kept
 * apart from the rollback itself so the console can ask without loading the rollback's code.
 */
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import type { LiveControllerRevision, LiveReplicaSet } from '../domain/kube-types.js';
import { serviceRepositoryOf } from '../domain/manifest-model.js';
import { chooseRollbackTarget, previousRevisionImage, revisionSelector, servicePreviousRevision, type RevisionHistory } from '../domain/rollback.js';
import { isBlocked, isFailed, type ImageVersion } from '../domain/types.js';
import type { WorkloadRef } from './update-manifests.js';

/** The service's live workloads, to fall back on their previous revision where ecp recorded nothing. */
export interface LiveWorkloads {
  client: KubeClient;
  /** Every workload that runs the service, as its manifest says. */
  workloads: readonly WorkloadRef[];
}

export interface RollbackTarget {
  image: string;
  versionId?: string;
  /** Set when the target is the live workloads' previous revision (no record of it). */
  revision?: number;
}

/** Why there is no default target: a sentence that follows "No earlier good version of t/s to roll back to: ". */
export interface NoRollbackTarget {
  none: string;
}

const NO_RECORD = 'no succeeded deploy or rollback of another image, nor a previous revision of the live workloads with a registered image, that is neither blocked nor failed';

/**
 * The target of a rollback without --to, as `ecp rollback`, the monitor and the console's
 * dialog all choose it: the newest succeeded deploy or rollback (hot or archived) of another
 * image that is neither blocked nor failed (hot or archived). Where there is none and `live` is
 * given, the live workloads' previous revision (liveRevisionTarget).
 */
export async function defaultRollbackTarget(core: Core, tenantId: string, service: string, liveImage: string | undefined, live?: LiveWorkloads): Promise<RollbackTarget | NoRollbackTarget> {
  const hot = (await core.store.read()).deployments;
  const records = [...hot, ...(await core.store.archivedDeployments(tenantId, hot))];
  const versions = await core.store.allVersions(service);
  const chosen = chooseRollbackTarget(records, versions, tenantId, service, liveImage);
  if (chosen) return { image: chosen.toImage, versionId: versions.find((v) => v.fullImageName === chosen.toImage)?.id ?? chosen.versionId };
  if (!live) return { none: NO_RECORD };
  return liveRevisionTarget(core, live, service, liveImage, versions);
}

/**
 * The previous revision of the service's live workloads, as `kubectl rollout undo` picks it for
 * each (a Deployment's ReplicaSets, a StatefulSet's ControllerRevisions), if every workload's
 * previous revision ran the same image and that image is a registered version that is neither
 * blocked nor failed. Workloads whose previous revisions differ have no one image to go back to:
 * refused, naming each (a person chooses with --to).
 */
async function liveRevisionTarget(core: Core, live: LiveWorkloads, service: string, liveImage: string | undefined, versions: readonly ImageVersion[]): Promise<RollbackTarget | NoRollbackTarget> {
  const repository = serviceRepositoryOf(core.config, service);
  const { client } = live;
  const previous = await Promise.all(
    live.workloads.map(async (w) => {
      const object = await client.readWorkload(w.kind, w.namespace, w.name);
      if (!object) return { workload: `${w.kind} ${w.name}` };
      const selector = revisionSelector(object as Parameters<typeof revisionSelector>[0]);
      const history: RevisionHistory =
        w.kind === 'Deployment'
          ? { kind: 'Deployment', replicaSets: ((await client.listReplicaSets(w.namespace, selector)) ?? []) as LiveReplicaSet[] }
          : { kind: 'StatefulSet', controllerRevisions: ((await client.listControllerRevisions(w.namespace, selector)) ?? []) as LiveControllerRevision[] };
      return { workload: `${w.kind} ${w.name}`, previous: previousRevisionImage(object, history, repository, service) };
    }),
  );
  const found = servicePreviousRevision(previous);
  if (!found) return { none: NO_RECORD };
  if ('refused' in found) return { none: found.refused };
  if (found.image === liveImage) return { none: NO_RECORD };
  const version = versions.filter((v) => v.fullImageName === found.image).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!version || isBlocked(version) || isFailed(version)) return { none: NO_RECORD };
  return { image: found.image, versionId: version.id, revision: found.revision };
}
