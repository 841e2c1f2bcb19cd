/**
 * Health of a Deployment exactly as Argo CD judges it (gitops-engine pkg/health), plus the
 * pod-level Degraded that Argo CD leaves to its Pod check: a pod stuck in ImagePullBackOff or
 * CrashLoopBackOff makes the Deployment Degraded at once, not after the progress deadline.
 */
import type { LiveDeployment, LivePod } from './kube-types.js';

export const HEALTH_STATES = ['Healthy', 'Progressing', 'Suspended', 'Degraded', 'Missing', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATES)[number];

export interface Health {
  status: HealthStatus;
  message: string;
}

/** Waiting reasons that mean a pod will not become ready by itself. */
export const FAILING_POD_REASONS = ['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'InvalidImageName', 'CreateContainerConfigError'];

export function deploymentHealth(deployment: LiveDeployment): Health {
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

/** The first failing container among the pods, as `pod/container: Reason: message`. */
export function failingPod(pods: readonly LivePod[]): string | undefined {
  for (const pod of pods) {
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

/** Argo CD's verdict, turned Degraded when one of the Deployment's pods cannot start. */
export function deploymentHealthWithPods(deployment: LiveDeployment, pods: readonly LivePod[]): Health {
  const health = deploymentHealth(deployment);
  if (health.status === 'Progressing') {
    const failing = failingPod(pods);
    if (failing) return { status: 'Degraded', message: failing };
  }
  return health;
}

/** Pods that belong to a Deployment: same namespace and every label of its selector. */
export function podsOf(deployment: LiveDeployment, pods: readonly LivePod[]): LivePod[] {
  const selector = deployment.spec?.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0) return [];
  const namespace = deployment.metadata?.namespace;
  return pods.filter(
    (p) =>
      p.metadata?.namespace === namespace &&
      Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v),
  );
}

/** Health states from best to worst: the one order (gitops-engine's health.IsWorse). */
export const HEALTH_ORDER: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Unknown', 'Degraded'];

/** Whether `next` is worse than `current`. */
export function isWorse(current: HealthStatus, next: HealthStatus): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}
