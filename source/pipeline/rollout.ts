/**
 * Waiting for a workload's rollout (a Deployment's or a StatefulSet's), the way `kubectl rollout
 * status` does, but judged with the Argo CD rules ecp shows everywhere: done when Healthy at the
 * new generation; failed as soon as it is Degraded (progress deadline exceeded, or a pod in
 * ImagePullBackOff / CrashLoopBackOff), or when the timeout passes. A service run by several
 * workloads is done when every one of them is.
 */
import type { KubeClient } from '../adapters/kube.js';
import { podsOf, workloadHealthWithPods, type LiveWorkload } from '../domain/health.js';
import type { LivePod } from '../domain/kube-types.js';
import { ignoreEvents, type EventSink } from './events.js';
import type { WorkloadRef } from './update-manifests.js';

export type RolloutOutcome = { ok: true; durationMs: number } | { ok: false; durationMs: number; reason: string };

export interface RolloutOptions {
  timeoutMs: number;
  pollMs?: number;
  onEvent?: EventSink;
  tenant?: string;
  /** The service the workloads run, for progress events. */
  service?: string;
}

/** A workload to wait for, and the generation its rollout must reach (the one the change produced). */
export interface RolloutTarget extends WorkloadRef {
  minGeneration?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForRollout(client: KubeClient, target: RolloutTarget, options: RolloutOptions): Promise<RolloutOutcome> {
  const emit = options.onEvent ?? ignoreEvents;
  const { kind, namespace, name } = target;
  const started = Date.now();
  let lastMessage = '';
  while (true) {
    const object = await client.readWorkload(kind, namespace, name);
    if (!object) return { ok: false, durationMs: Date.now() - started, reason: `${kind} ${namespace}/${name} was deleted` };
    const workload = { kind, object } as LiveWorkload;
    const generationReached = (object.metadata?.generation ?? 0) >= (target.minGeneration ?? 0);
    const health = workloadHealthWithPods(workload, podsOf(workload.object, ((await client.listPods(namespace)) ?? []) as LivePod[]));
    const durationMs = Date.now() - started;
    if (generationReached && health.status === 'Healthy') return { ok: true, durationMs };
    if (health.status === 'Degraded') return { ok: false, durationMs, reason: health.message };
    if (health.status === 'Suspended') return { ok: false, durationMs, reason: `the ${kind} is paused` };
    if (health.message && health.message !== lastMessage) {
      lastMessage = health.message;
      emit({ step: 'rollout', status: 'info', message: `${name}: ${health.message}`, tenant: options.tenant, service: options.service ?? name });
    }
    if (durationMs >= options.timeoutMs) {
      return { ok: false, durationMs, reason: `timed out after ${Math.round(durationMs / 1000)} s: ${health.message || 'not ready'}` };
    }
    await sleep(options.pollMs ?? 500);
  }
}

/** Every workload of a service at once: ok when all are; else the first failure, naming its workload when there are several. */
export async function waitForWorkloads(client: KubeClient, targets: readonly RolloutTarget[], options: RolloutOptions): Promise<RolloutOutcome> {
  const outcomes = await Promise.all(targets.map((t) => waitForRollout(client, t, options)));
  const durationMs = Math.max(0, ...outcomes.map((o) => o.durationMs));
  const failed = outcomes.findIndex((o) => !o.ok);
  if (failed < 0) return { ok: true, durationMs };
  const outcome = outcomes[failed] as Extract<RolloutOutcome, { ok: false }>;
  const target = targets[failed]!;
  return { ok: false, durationMs, reason: targets.length > 1 ? `${target.kind} ${target.name}: ${outcome.reason}` : outcome.reason };
}
