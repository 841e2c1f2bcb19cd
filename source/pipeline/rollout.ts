/**
 * Waiting for a Deployment's rollout, the way `kubectl rollout status` does, but judged with the
 * Argo CD rules ecp shows everywhere: done when Healthy at the new generation; failed as soon as
 * it is Degraded (progress deadline exceeded, or a pod in ImagePullBackOff / CrashLoopBackOff),
 * or when the timeout passes.
 */
import type { KubeClient } from '../adapters/kube.js';
import { statusCodeOf, toClusterError } from '../adapters/kube.js';
import { deploymentHealthWithPods, podsOf } from '../domain/health.js';
import type { LiveDeployment, LivePod } from '../domain/kube-types.js';
import { ignoreEvents, type EventSink } from './events.js';

/** `interrupted`: the wait was given up (Ctrl-C); the rollout goes on in the cluster, undecided. */
export type RolloutOutcome = { ok: true; durationMs: number } | { ok: false; durationMs: number; reason: string; interrupted?: true };

export interface RolloutOptions {
  timeoutMs: number;
  pollMs?: number;
  onEvent?: EventSink;
  tenant?: string;
  /** The generation the rollout must reach (the one the change produced). */
  minGeneration?: number;
  /** Aborted: stop waiting at once (the operator pressed Ctrl-C). */
  signal?: AbortSignal;
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

export async function waitForRollout(client: KubeClient, namespace: string, name: string, options: RolloutOptions): Promise<RolloutOutcome> {
  const emit = options.onEvent ?? ignoreEvents;
  const started = Date.now();
  let lastMessage = '';
  while (true) {
    if (options.signal?.aborted) return { ok: false, durationMs: Date.now() - started, reason: 'interrupted before the rollout finished', interrupted: true };
    let deployment: LiveDeployment;
    try {
      deployment = (await client.apps.readNamespacedDeployment({ name, namespace })) as LiveDeployment;
    } catch (error) {
      if (statusCodeOf(error) === 404) return { ok: false, durationMs: Date.now() - started, reason: `Deployment ${namespace}/${name} was deleted` };
      throw toClusterError(client.cluster, `Reading Deployment ${namespace}/${name}`, error);
    }
    const generationReached = (deployment.metadata?.generation ?? 0) >= (options.minGeneration ?? 0);
    const health = deploymentHealthWithPods(deployment, podsOf(deployment, ((await client.listPods(namespace)) ?? []) as LivePod[]));
    const durationMs = Date.now() - started;
    if (generationReached && health.status === 'Healthy') return { ok: true, durationMs };
    if (health.status === 'Degraded') return { ok: false, durationMs, reason: health.message };
    if (health.status === 'Suspended') return { ok: false, durationMs, reason: 'the Deployment is paused' };
    if (health.message && health.message !== lastMessage) {
      lastMessage = health.message;
      emit({ step: 'rollout', status: 'info', message: `${name}: ${health.message}`, tenant: options.tenant, service: name });
    }
    if (durationMs >= options.timeoutMs) {
      return { ok: false, durationMs, reason: `timed out after ${Math.round(durationMs / 1000)} s: ${health.message || 'not ready'}` };
    }
    await sleep(options.pollMs ?? 500, options.signal);
  }
}
