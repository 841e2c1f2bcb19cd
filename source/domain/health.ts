/**
 * Health of a Deployment or StatefulSet exactly as Argo CD judges it (gitops-engine pkg/health),
 * plus the pod-level Degraded that Argo CD leaves to its Pod check: a pod stuck in
 * ImagePullBackOff or CrashLoopBackOff makes the Deployment Degraded at once, not after the
 * progress deadline. An object being deleted is Progressing ("Pending deletion"), as in Argo CD.
 */
import type { KubeContainer, KubeMeta, LiveDeployment, LivePod, LiveReplicaSet } from './kube-types.js';

export const HEALTH_STATES = ['Healthy', 'Progressing', 'Suspended', 'Degraded', 'Missing', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATES)[number];

export interface Health {
  status: HealthStatus;
  message: string;
}

/** Waiting reasons that mean a pod will not become ready by itself. */
export const FAILING_POD_REASONS = ['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'InvalidImageName', 'CreateContainerConfigError'];

/** Argo CD checks this before any kind's own rules. */
function pendingDeletion(metadata: (KubeMeta & { deletionTimestamp?: string | Date }) | undefined): Health | undefined {
  return metadata?.deletionTimestamp ? { status: 'Progressing', message: 'Pending deletion' } : undefined;
}

export function deploymentHealth(deployment: LiveDeployment): Health {
  const deleting = pendingDeletion(deployment.metadata);
  if (deleting) return deleting;
  const name = deployment.metadata?.name ?? '';
  const spec = deployment.spec ?? {};
  const status = deployment.status ?? {};
  if (spec.paused) return { status: 'Suspended', message: 'Deployment is paused' };
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: `Deployment "${name}" exceeded its progress deadline` };
  }
  if (spec.replicas !== undefined && updated < spec.replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${spec.replicas} new replicas have been updated...`,
    };
  }
  if (replicas > updated) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { status: 'Healthy', message: '' };
}

/** The fields of a StatefulSet its health reads. */
export interface LiveStatefulSet {
  metadata?: KubeMeta & { deletionTimestamp?: string | Date };
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    template?: { metadata?: KubeMeta; spec?: { containers?: KubeContainer[]; initContainers?: KubeContainer[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** gitops-engine's getAppsv1StatefulSetHealth (after kubectl rollout status), rule for rule. */
export function statefulSetHealth(sts: LiveStatefulSet): Health {
  const deleting = pendingDeletion(sts.metadata);
  if (deleting) return deleting;
  const spec = sts.spec ?? {};
  const status = sts.status ?? {};
  const observed = status.observedGeneration ?? 0;
  if (observed === 0 || (sts.metadata?.generation ?? 0) > observed) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (spec.replicas !== undefined && ready < spec.replicas) {
    return { status: 'Progressing', message: `Waiting for ${spec.replicas - ready} pods to be ready...` };
  }
  const strategy = spec.updateStrategy;
  if (strategy?.type === 'RollingUpdate' && strategy.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition;
    if (spec.replicas !== undefined && partition !== undefined && updated < spec.replicas - partition) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${spec.replicas - partition} new pods have been updated...`,
      };
    }
    return { status: 'Healthy', message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (strategy?.type === 'OnDelete') return { status: 'Healthy', message: `statefulset has ${ready} ready pods` };
  if (status.updateRevision !== status.currentRevision) {
    return { status: 'Progressing', message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${status.updateRevision ?? ''}...` };
  }
  return { status: 'Healthy', message: `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision ?? ''}...` };
}

/** The first failing container among the pods, as `pod/container: Reason: message`. */
export function failingPod(pods: readonly LivePod[]): string | undefined {
  for (const pod of pods) {
    // A pod being deleted is on its way out (Argo CD: "Pending deletion"), not what the rollout waits for.
    if ((pod.metadata as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp) continue;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const c of statuses) {
      const reason = c.state?.waiting?.reason;
      if (reason && FAILING_POD_REASONS.includes(reason)) {
        const detail = c.state?.waiting?.message ? `: ${c.state.waiting.message}` : '';
        return `Pod ${pod.metadata?.name ?? '?'} container ${c.name} is in ${reason}${detail}`;
      }
    }
  }
  return undefined;
}

/** A live workload of either kind, as ecp reads it. */
export type LiveWorkload = { kind: 'Deployment'; object: LiveDeployment } | { kind: 'StatefulSet'; object: LiveStatefulSet };

/** Argo CD's verdict for the workload's kind (no pods consulted). */
export function workloadHealth(workload: LiveWorkload): Health {
  return workload.kind === 'Deployment' ? deploymentHealth(workload.object) : statefulSetHealth(workload.object);
}

/**
 * Argo CD's verdict, turned Degraded when a pod of the workload's current revision cannot start.
 * `pods` are the workload's (podsOf); those of older revisions — an old ReplicaSet's pod still
 * crash-looping while the new one starts, or still terminating — say nothing about the new
 * version (currentRevisionPods).
 */
export function workloadHealthWithPods(workload: LiveWorkload, pods: readonly LivePod[], replicaSets?: readonly LiveReplicaSet[]): Health {
  const health = workloadHealth(workload);
  if (health.status === 'Progressing') {
    const failing = failingPod(currentRevisionPods(workload, pods, replicaSets));
    if (failing) return { status: 'Degraded', message: failing };
  }
  return health;
}

const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH = 'pod-template-hash';
const CONTROLLER_REVISION_HASH = 'controller-revision-hash';

/**
 * The workload's pods of its current revision: what tells whether the new version fails.
 * - Before the controller has observed the latest spec, the new revision has no pods yet: none.
 * - A StatefulSet: pods labelled `controller-revision-hash` = `status.updateRevision`.
 * - A Deployment: pods of its newest ReplicaSet — the one whose revision annotation is the
 *   Deployment's (else the highest) — by owner or `pod-template-hash`. Without its ReplicaSets
 *   (not read, or RBAC), the pods whose containers run the template's images: a pod with another
 *   image cannot be of the current revision.
 */
export function currentRevisionPods(workload: LiveWorkload, pods: readonly LivePod[], replicaSets?: readonly LiveReplicaSet[]): LivePod[] {
  const { object } = workload;
  if ((object.metadata?.generation ?? 0) > (object.status?.observedGeneration ?? 0)) return [];
  if (workload.kind === 'StatefulSet') {
    const revision = workload.object.status?.updateRevision;
    return revision ? pods.filter((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH] === revision) : [...pods];
  }
  const current = newestReplicaSet(workload.object, replicaSets ?? []);
  if (current) {
    const hash = current.metadata?.labels?.[POD_TEMPLATE_HASH] ?? current.spec?.template?.metadata?.labels?.[POD_TEMPLATE_HASH];
    return pods.filter(
      (p) => p.metadata?.ownerReferences?.some((o) => o.uid !== undefined && o.uid === current.metadata?.uid) || (hash !== undefined && p.metadata?.labels?.[POD_TEMPLATE_HASH] === hash),
    );
  }
  const images = new Map((workload.object.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c.image]));
  return pods.filter((p) => (p.spec?.containers ?? []).every((c) => !images.has(c.name) || images.get(c.name) === c.image));
}

/** The Deployment's newest ReplicaSet: the one of its revision annotation, else the highest revision it owns. */
function newestReplicaSet(deployment: LiveDeployment, replicaSets: readonly LiveReplicaSet[]): LiveReplicaSet | undefined {
  const uid = deployment.metadata?.uid;
  const revisionOf = (rs: LiveReplicaSet) => Number(rs.metadata?.annotations?.[DEPLOYMENT_REVISION] ?? '0') || 0;
  const owned = replicaSets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === deployment.metadata?.name)));
  const wanted = Number(deployment.metadata?.annotations?.[DEPLOYMENT_REVISION] ?? '0') || 0;
  return owned.find((rs) => wanted > 0 && revisionOf(rs) === wanted) ?? owned.sort((a, b) => revisionOf(b) - revisionOf(a))[0];
}

/** Pods that belong to a workload: same namespace and every label of its selector. */
export function podsOf(workload: Pick<LiveDeployment | LiveStatefulSet, 'metadata' | 'spec'>, pods: readonly LivePod[]): LivePod[] {
  const selector = workload.spec?.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0) return [];
  const namespace = workload.metadata?.namespace;
  return pods.filter((p) => p.metadata?.namespace === namespace && Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v));
}

/** Health states from best to worst: the one order (gitops-engine's health.IsWorse). */
export const HEALTH_ORDER: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Unknown', 'Degraded'];

/** Whether `next` is worse than `current`. */
export function isWorse(current: HealthStatus, next: HealthStatus): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}
