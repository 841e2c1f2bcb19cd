/**
 * Waiting for a workload's rollout (a Deployment's or a StatefulSet's), the way `kubectl rollout
 * status` does, but judged with the Argo CD rules ecp shows everywhere: done when Healthy at the
 * new generation; failed as soon as it is Degraded (progress deadline exceeded, or a pod in
 * ImagePullBackOff / CrashLoopBackOff), or when the timeout passes. A service run by several
 * workloads is done when every one of them is.
 *
 * The change is already in the cluster while this waits, so a read that fails is not the end:
 * the wait reads again (as `kubectl rollout status` does) until the API has been gone for
 * `unreachableMs`; then the outcome is `unknown` — neither done nor failed — and the caller
 * leaves the record for the monitor instead of calling the change undone.
 */
import type { KubeClient } from '../adapters/kube.js';
import { errorMessage } from '../errors.js';
import { podsOf, workloadHealthWithPods, type LiveWorkload } from '../domain/health.js';
import type { LivePod, LiveReplicaSet } from '../domain/kube-types.js';
import { ignoreEvents, type EventSink } from './events.js';
import type { WorkloadRef } from './update-manifests.js';

/**
 * `interrupted`: the wait was given up (Ctrl-C); `unknown`: the API server could not be read for
 * too long. Either way the rollout goes on in the cluster, undecided.
 */
export type RolloutOutcome = { ok: true; durationMs: number } | { ok: false; durationMs: number; reason: string; interrupted?: true; unknown?: true };

export interface RolloutOptions {
  timeoutMs: number;
  pollMs?: number;
  /** How long the API may fail every read before the outcome is unknown (default 60 s, never past timeoutMs). */
  unreachableMs?: number;
  onEvent?: EventSink;
  tenant?: string;
  /** The service the workloads run, for progress events. */
  service?: string;
  /** Aborted: stop waiting at once (the operator pressed Ctrl-C). */
  signal?: AbortSignal;
}

/** A workload to wait for, and the generation its rollout must reach (the one the change produced). */
export interface RolloutTarget extends WorkloadRef {
  minGeneration?: number;
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export async function waitForRollout(client: KubeClient, target: RolloutTarget, options: RolloutOptions): Promise<RolloutOutcome> {
  const emit = options.onEvent ?? ignoreEvents;
  const { kind, namespace, name } = target;
  const started = Date.now();
  const unreachableMs = Math.min(options.unreachableMs ?? 60_000, options.timeoutMs);
  let lastMessage = '';
  let failingSince: number | undefined;
  while (true) {
    if (options.signal?.aborted) return { ok: false, durationMs: Date.now() - started, reason: 'interrupted before the rollout finished', interrupted: true };
    let object: Awaited<ReturnType<KubeClient['readWorkload']>>;
    let pods: LivePod[];
    let replicaSets: LiveReplicaSet[] | undefined;
    try {
      object = await client.readWorkload(kind, namespace, name);
      // A Deployment's ReplicaSets say which pods are of the new revision (an old one's failing pod says nothing about it).
      [pods, replicaSets] = object
        ? await Promise.all([
            client.listPods(namespace).then((p) => (p ?? []) as LivePod[]),
            kind === 'Deployment' ? client.listReplicaSets(namespace).then((r) => r as LiveReplicaSet[] | undefined) : undefined,
          ])
        : [[], undefined];
      failingSince = undefined;
    } catch (error) {
      const now = Date.now();
      failingSince ??= now;
      if (now - failingSince >= unreachableMs) {
        return { ok: false, durationMs: now - started, reason: `the API server could not be read for ${Math.round((now - failingSince) / 1000)} s: ${errorMessage(error)}`, unknown: true };
      }
      emit({ step: 'rollout', status: 'info', message: `${name}: cannot read the rollout, trying again: ${errorMessage(error)}`, tenant: options.tenant, service: options.service ?? name });
      await sleep(Math.min(2_000, (options.pollMs ?? 500) * 2), options.signal);
      continue;
    }
    if (!object) return { ok: false, durationMs: Date.now() - started, reason: `${kind} ${namespace}/${name} was deleted` };
    const workload = { kind, object } as LiveWorkload;
    const generationReached = (object.metadata?.generation ?? 0) >= (target.minGeneration ?? 0);
    const health = workloadHealthWithPods(workload, podsOf(workload.object, pods), replicaSets);
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
    await sleep(options.pollMs ?? 500, options.signal);
  }
}

/**
 * Every workload of a service at once: ok when all are; else the first failure, naming its
 * workload when there are several (a failure before an undecided one: failed is decided).
 */
export async function waitForWorkloads(client: KubeClient, targets: readonly RolloutTarget[], options: RolloutOptions): Promise<RolloutOutcome> {
  const outcomes = await Promise.all(targets.map((t) => waitForRollout(client, t, options)));
  const durationMs = Math.max(0, ...outcomes.map((o) => o.durationMs));
  const notOk = outcomes.flatMap((o, i) => (o.ok ? [] : [{ outcome: o, target: targets[i]! }]));
  if (notOk.length === 0) return { ok: true, durationMs };
  const { outcome, target } = notOk.find((n) => !n.outcome.interrupted && !n.outcome.unknown) ?? notOk[0]!;
  return { ...outcome, durationMs, reason: targets.length > 1 ? `${target.kind} ${target.name}: ${outcome.reason}` : outcome.reason };
}
