/**
 * A Deployment's status as the deployment controller computes it: replica counts from its
 * ReplicaSets, the Available condition, and the Progressing condition with its reasons
 * (NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded).
 */
import { asArray, asNumber, asObject, at, compact, timestamp, type Json, type JsonObject, type KubeObject } from './json.js';
import { bareTemplate, templateHash } from './template.js';

/** An int-or-percent of the desired replicas (maxSurge rounds up, maxUnavailable down). */
function resolve(value: Json | undefined, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value ?? '25%'));
  const exact = ((m ? Number(m[1]) : 25) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Desired replicas and how far a rolling update may go above / below them. */
export function limits(d: KubeObject): { desired: number; surge: number; unavailable: number } {
  const desired = asNumber(at(d, 'spec', 'replicas')) ?? 1;
  if (at(d, 'spec', 'strategy', 'type') === 'Recreate') return { desired, surge: 0, unavailable: 0 };
  let surge = resolve(at(d, 'spec', 'strategy', 'rollingUpdate', 'maxSurge'), desired, true);
  let unavailable = resolve(at(d, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable'), desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  if (desired === 0) unavailable = 0;
  surge = Math.max(0, surge);
  return { desired, surge, unavailable: Math.min(unavailable, desired) };
}

export const specReplicas = (rs: KubeObject) => asNumber(at(rs, 'spec', 'replicas')) ?? 0;
export const statusOf = (obj: KubeObject, field: string) => asNumber(at(obj, 'status', field)) ?? 0;

export function condition(type: string, status: string, reason: string, message: string, time: string): JsonObject {
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

export function findCondition(status: JsonObject, type: string): JsonObject | undefined {
  return asArray(status.conditions).find((c) => at(c, 'type') === type) as JsonObject | undefined;
}

/**
 * SetDeploymentCondition: same status and reason → unchanged; same status → keep the
 * transition time; the new condition goes last.
 */
export function setCondition(status: JsonObject, next: JsonObject): void {
  const current = findCondition(status, String(next.type));
  if (current && current.status === next.status && current.reason === next.reason) return;
  if (current && current.status === next.status) next.lastTransitionTime = current.lastTransitionTime!;
  status.conditions = [...asArray(status.conditions).filter((c) => c !== current), next];
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(d: KubeObject, all: KubeObject[], newRs: KubeObject | undefined, status: JsonObject, time: string): void {
  const { desired, unavailable } = limits(d);
  const sum = (field: string) => all.reduce((n, rs) => n + statusOf(rs, field), 0);
  const available = sum('availableReplicas');
  const totalSpec = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const counts = compact({
    observedGeneration: asNumber(d.metadata.generation) ?? 1,
    replicas: sum('replicas'),
    updatedReplicas: newRs ? statusOf(newRs, 'replicas') : 0,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, totalSpec - available),
  });
  for (const key of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) {
    if (counts[key] === undefined) delete status[key];
    else status[key] = counts[key]!;
  }
  setCondition(
    status,
    available >= desired - unavailable
      ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', time)
      : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', time),
  );
}

/** syncRolloutStatus: complete, progressing, or past its progress deadline. */
export function syncProgress(d: KubeObject, newRs: KubeObject, before: JsonObject, status: JsonObject, now: number): void {
  const time = timestamp(now);
  const current = findCondition(status, 'Progressing');
  const rsName = String(newRs.metadata.name);
  if (at(current, 'reason') === 'NewReplicaSetAvailable' && status.replicas === status.updatedReplicas) return;
  if (complete(d, status)) {
    setCondition(status, condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, time));
    return;
  }
  const old = (s: JsonObject) => (asNumber(s.replicas) ?? 0) - (asNumber(s.updatedReplicas) ?? 0);
  const more = (field: string) => (asNumber(status[field]) ?? 0) > (asNumber(before[field]) ?? 0);
  if (more('updatedReplicas') || old(status) < old(before) || more('readyReplicas') || more('availableReplicas')) {
    const next = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, time);
    if (current?.status === 'True') next.lastTransitionTime = current.lastTransitionTime!;
    status.conditions = [...asArray(status.conditions).filter((c) => c !== current), next];
    return;
  }
  if (timedOut(d, status, now)) {
    setCondition(status, condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, time));
  }
}

/** When a stuck rollout times out (clock ms), or undefined when no deadline runs. */
export function progressDeadline(d: KubeObject, status: JsonObject): number | undefined {
  const c = findCondition(status, 'Progressing');
  const seconds = asNumber(at(d, 'spec', 'progressDeadlineSeconds'));
  if (!c || seconds === undefined || c.reason === 'NewReplicaSetAvailable' || c.reason === 'ProgressDeadlineExceeded') return undefined;
  return Date.parse(String(c.lastUpdateTime)) + seconds * 1000;
}

function timedOut(d: KubeObject, status: JsonObject, now: number): boolean {
  if (at(findCondition(status, 'Progressing'), 'reason') === 'ProgressDeadlineExceeded') return true;
  const deadline = progressDeadline(d, status);
  return deadline !== undefined && deadline < now;
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
function complete(d: KubeObject, status: JsonObject): boolean {
  const desired = asNumber(at(d, 'spec', 'replicas')) ?? 1;
  const n = (field: string) => asNumber(status[field]) ?? 0;
  return n('updatedReplicas') === desired && n('replicas') === desired && n('availableReplicas') === desired && n('observedGeneration') >= (asNumber(d.metadata.generation) ?? 1);
}

export function isComplete(d: KubeObject): boolean {
  return complete(d, asObject(d.status) ?? {}) && at(d, 'spec', 'paused') !== true;
}

/** The status of a Deployment whose rollout finished long ago (seeding without the simulator). */
export function finishedStatus(d: KubeObject, time: string): JsonObject {
  const desired = asNumber(at(d, 'spec', 'replicas')) ?? 1;
  const rsName = `${String(d.metadata.name)}-${templateHash(bareTemplate(at(d, 'spec', 'template')))}`;
  return {
    ...compact({
      observedGeneration: asNumber(d.metadata.generation) ?? 1,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: desired,
      availableReplicas: desired,
    }),
    conditions: [
      condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', time),
      condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, time),
    ],
  };
}
