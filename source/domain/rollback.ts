/** Rollback rules (issue 6, DESIGN §6): which image to go back to, and when the monitor may do it. */
import type { KubeContainer, KubeMeta, LiveControllerRevision, LiveReplicaSet } from './kube-types.js';
import { liveServiceImage, type ServiceStatus } from './status.js';
import { matchesAny } from './patterns.js';
import { isBlocked, isFailed, type DeploymentRecord, type ImageVersion } from './types.js';

const newestFirst = (a: DeploymentRecord, b: DeploymentRecord) => b.startedAt.localeCompare(a.startedAt);

/**
 * The image of the newest succeeded deploy or rollback of this tenant/service whose image
 * differs from the one live now and is neither blocked nor failed: what ran, healthy, before
 * the current image. `records` and `versions` are hot and archived ones alike.
 */
export function chooseRollbackTarget(
  records: readonly DeploymentRecord[],
  versions: readonly ImageVersion[],
  tenantId: string,
  service: string,
  liveImage: string | undefined,
): DeploymentRecord | undefined {
  const excluded = new Set(versions.filter((v) => isBlocked(v) || isFailed(v)).map((v) => v.fullImageName));
  return records
    .filter((r) => r.tenantId === tenantId && r.serviceName === service && r.status === 'succeeded')
    .sort(newestFirst)
    .find((r) => r.toImage !== liveImage && !excluded.has(r.toImage));
}

const REVISION = 'deployment.kubernetes.io/revision';
const replicaSetRevision = (rs: LiveReplicaSet) => Number(rs.metadata?.annotations?.[REVISION] ?? '0') || 0;

/** What a workload keeps of its earlier pod templates: a Deployment's ReplicaSets, a StatefulSet's ControllerRevisions. */
export type RevisionHistory = { kind: 'Deployment'; replicaSets: readonly LiveReplicaSet[] } | { kind: 'StatefulSet'; controllerRevisions: readonly LiveControllerRevision[] };

/** One revision of a workload: its number and the pod template it ran. */
interface Revision {
  revision: number;
  template?: { spec?: { containers?: KubeContainer[]; initContainers?: KubeContainer[] } };
}

function revisionsOf(history: RevisionHistory): { owner: KubeMeta['ownerReferences']; revision: Revision }[] {
  return history.kind === 'Deployment'
    ? history.replicaSets.map((rs) => ({ owner: rs.metadata?.ownerReferences, revision: { revision: replicaSetRevision(rs), template: rs.spec?.template } }))
    : history.controllerRevisions.map((cr) => ({ owner: cr.metadata?.ownerReferences, revision: { revision: cr.revision ?? 0, template: cr.data?.spec?.template } }));
}

/**
 * The label selector (`k=v,…`) of the revisions a workload may own (a Deployment's
 * ReplicaSets, a StatefulSet's ControllerRevisions): its selector's matchLabels, as kubectl
 * lists them for `rollout undo`. Listing the whole namespace instead reads every other
 * workload's revisions too — 1 000 in a big tenant (ownership is still checked after).
 */
export function revisionSelector(workload: { spec?: { selector?: { matchLabels?: Record<string, string> } } }): string | undefined {
  const labels = Object.entries(workload.spec?.selector?.matchLabels ?? {});
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

/**
 * The image of the workload's previous revision, as `kubectl rollout undo` picks it: of the
 * revisions the workload owns (a Deployment's ReplicaSets by their revision annotation, a
 * StatefulSet's ControllerRevisions by their number), the second-highest. Used where ecp has no
 * record of an earlier good image (its first deploy on an existing cluster).
 */
export function previousRevisionImage(workload: { metadata?: KubeMeta }, history: RevisionHistory, repository: string, service: string): { image: string; revision: number } | undefined {
  const uid = workload.metadata?.uid;
  const owned = revisionsOf(history)
    .filter(({ owner }) => owner?.some((o) => o.kind === history.kind && (uid ? o.uid === uid : o.name === workload.metadata?.name)))
    .map(({ revision }) => revision)
    .sort((a, b) => b.revision - a.revision);
  const previous = owned[1];
  const image = previous ? liveServiceImage({ spec: { template: previous.template } }, repository, service) : undefined;
  return previous && image ? { image, revision: previous.revision } : undefined;
}

/** One workload's previous revision, as previousRevisionImage found it (or none). */
export interface WorkloadPrevious {
  /** `Kind name`, for the sentence when workloads disagree. */
  workload: string;
  previous?: { image: string; revision: number };
}

/**
 * The previous revision of a service run by several workloads (a Deployment and a StatefulSet of
 * one image): only when every workload's previous revision ran the same image. When they differ,
 * or one has none while another has, there is no one image to go back to: `refused` says so,
 * naming each, and a person chooses (--to). Undefined when no workload has a previous revision.
 */
export function servicePreviousRevision(workloads: readonly WorkloadPrevious[]): { image: string; revision: number } | { refused: string } | undefined {
  const found = workloads.filter((w) => w.previous);
  if (found.length === 0) return undefined;
  const images = new Set(found.map((w) => w.previous!.image));
  if (images.size === 1 && found.length === workloads.length) return found[0]!.previous;
  const each = workloads.map((w) => (w.previous ? `${w.workload}'s runs ${w.previous.image} (revision ${w.previous.revision})` : `${w.workload} has none`)).join(', ');
  return { refused: `the previous revisions of its workloads differ (${each}), so there is no one image to go back to` };
}

/**
 * Why `version` cannot be the target of a rollback of a service that runs `liveImage` now
 * (blocked without --force, or what runs already), or undefined. A failed version may be
 * chosen by name: the rollback warns and audits it.
 */
export function rollbackChoiceProblem(version: ImageVersion, liveImage: string | undefined, force = false): string | undefined {
  if (isBlocked(version) && !force) {
    return `Version ${version.id} (${version.imageTag}) is blocked (${version.securityScanResult === 'failed' ? 'scan failed' : 'status blocked'}); --force overrides (audited).`;
  }
  if (version.fullImageName === liveImage) return `${version.imageTag} is what runs now; choose an earlier version.`;
  return undefined;
}

/** The newest deployment record ecp made for this tenant/service (deploy or rollback). */
export function latestRecord(records: readonly DeploymentRecord[], tenantId: string, service: string): DeploymentRecord | undefined {
  return records.filter((r) => r.tenantId === tenantId && r.serviceName === service).sort(newestFirst)[0];
}

/**
 * How live state settles a record still open (pending or progressing): its image live and
 * Healthy, it succeeded; Degraded, it failed; anything else (another image, Unknown, still
 * progressing), not yet.
 */
export function settledOutcome(row: ServiceStatus, latest: DeploymentRecord | undefined): 'succeeded' | 'failed' | undefined {
  if (!latest || (latest.status !== 'progressing' && latest.status !== 'pending')) return undefined;
  if (row.liveImage !== latest.toImage || row.sync === 'Unknown') return undefined;
  return row.health === 'Healthy' ? 'succeeded' : row.health === 'Degraded' ? 'failed' : undefined;
}

export interface AutoRollbackPolicy {
  services: readonly string[];
  protectedNamespaces: readonly string[];
}

export type AutoRollbackDecision = { rollback: true; reason: string } | { rollback: false; why: string /** worth a log line (policy said no to a real failure) */; notable: boolean };

/**
 * Roll back automatically only on Degraded after a deploy ecp recorded, only where policy
 * allows (listed service, unprotected namespace), once per failed image, never on Unknown.
 */
export function autoRollbackDecision(row: ServiceStatus, latest: DeploymentRecord | undefined, policy: AutoRollbackPolicy, alreadyHandledImages: ReadonlySet<string>): AutoRollbackDecision {
  if (row.sync === 'Unknown' || row.health === 'Unknown') return { rollback: false, why: 'state is Unknown', notable: false };
  if (row.health !== 'Degraded') return { rollback: false, why: `health is ${row.health}`, notable: false };
  const target = `${row.tenantId}/${row.service}`;
  if (latest && latest.kind !== 'deploy' && latest.toImage === row.liveImage) {
    // Never a cascade: the rollback's own target failing is for a person to judge.
    return {
      rollback: false,
      why: `${target} is Degraded after the ${latest.kind} to ${latest.toImage}; ecp does not roll back a rollback automatically: decide by hand (ecp rollback ${row.tenantId} ${row.service} --to ID)`,
      notable: true,
    };
  }
  if (latest?.kind !== 'deploy') {
    return { rollback: false, why: `${target} is Degraded but its last change was not a deploy recorded by ecp`, notable: true };
  }
  if (latest.toImage !== row.liveImage) {
    return { rollback: false, why: `${target} is Degraded but runs ${row.liveImage ?? 'nothing'}, not the image ecp deployed`, notable: true };
  }
  if (alreadyHandledImages.has(`${target}@${latest.toImage}`)) {
    return { rollback: false, why: `${target}: ${latest.toImage} was already handled once`, notable: false };
  }
  if (!policy.services.includes(row.service)) {
    return { rollback: false, why: `${target} is Degraded; ${row.service} is not in autoRollback.services`, notable: true };
  }
  if (matchesAny(row.namespace, policy.protectedNamespaces)) {
    return { rollback: false, why: `${target} is Degraded; namespace ${row.namespace} is protected (${policy.protectedNamespaces.join(', ')}): roll back by hand`, notable: true };
  }
  return { rollback: true, reason: `${row.healthMessage || 'Degraded'} after deploy of ${latest.toImage}` };
}
