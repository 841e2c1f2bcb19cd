/**
 * A stand-in for the scheduler and the kubelet of the sandbox's one node. Every pod is bound to
 * the node when it appears (a bare `kubectl run` pod too), waits in ContainerCreating, then
 * pulls its images one step later: Running and Ready, or, for an image matching the failure
 * pattern, ErrImagePull, then ImagePullBackOff with retries 10 s, 20 s, 40 s … 5 min apart,
 * recording the Events a real node records (Scheduled, Pulling, Pulled, Created, Started,
 * Failed, BackOff). A deleted pod is Terminating until its containers have stopped.
 */
import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { EventRecorder } from './events.js';
import { asArray, asObject, asString, at, timestamp, type Json, type JsonObject, type KubeObject } from './json.js';
import { pods } from './resources.js';
import type { Change } from './store.js';

export const NODE = 'ecp-sandbox-node';
const KUBELET = { manager: 'kubelet', scope: 'status' as const };
const SCHEDULER = { component: 'default-scheduler' };
const NODE_SOURCE = { component: 'kubelet', host: NODE };
const FIRST_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 300_000;

export interface KubeletOptions {
  /** From binding to pulling images (clock time); also the gap from ErrImagePull to ImagePullBackOff. */
  startMs: number;
  failImage(): RegExp | undefined;
}

export function isReady(pod: KubeObject): boolean {
  return asArray(at(pod, 'status', 'conditions')).some((c) => at(c, 'type') === 'Ready' && at(c, 'status') === 'True');
}

export function isPullFailing(pod: KubeObject): boolean {
  return asArray(at(pod, 'status', 'containerStatuses')).some((s) => /^(ErrImagePull|ImagePullBackOff)$/.test(asString(at(s, 'state', 'waiting', 'reason')) ?? ''));
}

const key = (pod: KubeObject) => `${String(pod.metadata.namespace)}/${String(pod.metadata.name)}`;
const fieldPath = (container: Json) => `spec.containers{${String(at(container, 'name'))}}`;

export class Kubelet {
  private readonly timers = new Map<string, () => void>();
  /** Pull failures per pod so far, for the back-off. */
  private readonly failures = new Map<string, number>();
  private ipCounter = 1;
  private unsubscribe?: () => void;
  /** Set while the kubelet writes, so its own changes do not wake it. */
  private busy = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly recorder: EventRecorder,
    private readonly options: KubeletOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.cluster.store.onChange((change) => this.observe(change));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** Retries every failing pull at once (the failure pattern changed). */
  wake(): void {
    for (const pod of this.cluster.store.list(pods)) {
      if (isPullFailing(pod)) this.after(pod, 0, (p) => this.pull(p, false));
    }
  }

  /** Brings a pod created on the node (spec.nodeName set) to its steady state at once, recording nothing (seeding). */
  settle(pod: KubeObject): KubeObject {
    return this.run(() => this.pull(pod, true));
  }

  private observe(change: Change): void {
    if (this.busy || change.resource !== pods) return;
    const pod = change.object;
    if (change.type === 'DELETED') {
      this.timers.get(key(pod))?.();
      this.timers.delete(key(pod));
      this.failures.delete(key(pod));
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      if (!change.previous?.metadata.deletionTimestamp) this.after(pod, 0, (p) => this.kill(p));
      return;
    }
    if (change.type === 'ADDED') {
      this.run(() => this.bind(pod));
      this.after(pod, this.options.startMs, (p) => this.pull(p, false));
    }
  }

  private run<T>(fn: () => T): T {
    this.busy = true;
    try {
      return fn();
    } finally {
      this.busy = false;
    }
  }

  /** Runs `step` on the pod's current state after `ms`, replacing whatever the pod waited for. */
  private after(pod: KubeObject, ms: number, step: (pod: KubeObject) => void): void {
    const k = key(pod);
    this.timers.get(k)?.();
    const cancel = this.clock.schedule(ms, () => {
      if (this.timers.get(k) === cancel) this.timers.delete(k);
      const current = this.cluster.store.get(pods, String(pod.metadata.namespace), String(pod.metadata.name));
      if (current && current.metadata.uid === pod.metadata.uid) this.run(() => step(current));
    });
    this.timers.set(k, cancel);
  }

  /** The scheduler's binding, then the kubelet's first status: Pending, containers being created. */
  private bind(pod: KubeObject): KubeObject {
    let bound = pod;
    if (!asString(at(pod, 'spec', 'nodeName'))) {
      bound = this.cluster.replace(pods, String(pod.metadata.namespace), String(pod.metadata.name), { ...pod, spec: { ...(asObject(pod.spec) ?? {}), nodeName: NODE } }, { manager: 'kube-scheduler' });
    }
    this.recorder.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${String(pod.metadata.namespace)}/${String(pod.metadata.name)} to ${NODE}`, SCHEDULER);
    const now = timestamp(this.clock.now());
    return this.setStatus(bound, {
      phase: 'Pending',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        this.condition('Ready', this.containerNames(bound), now),
        this.condition('ContainersReady', this.containerNames(bound), now),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ],
      hostIP: '10.0.0.10',
      hostIPs: [{ ip: '10.0.0.10' }],
      startTime: now,
      containerStatuses: asArray(at(bound, 'spec', 'containers')).map((c) => ({
        name: at(c, 'name') ?? '',
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: at(c, 'image') ?? '',
        imageID: '',
        started: false,
      })),
      qosClass: 'BestEffort',
    });
  }

  private containerNames(pod: KubeObject): string[] {
    return asArray(at(pod, 'spec', 'containers')).map((c) => String(at(c, 'name')));
  }

  private condition(type: string, unready: string[], time: string): JsonObject {
    return unready.length === 0
      ? { type, status: 'True', lastProbeTime: null, lastTransitionTime: time }
      : { type, status: 'False', lastProbeTime: null, lastTransitionTime: time, reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  }

  /** Pulls the images that are not running yet: they start, or their pull fails (ErrImagePull). */
  private pull(pod: KubeObject, quiet: boolean): KubeObject {
    if (isReady(pod)) return pod;
    const fail = this.options.failImage();
    const time = timestamp(this.clock.now());
    const containers = asArray(at(pod, 'spec', 'containers'));
    const previous = asArray(at(pod, 'status', 'containerStatuses'));
    const failing: string[] = [];
    const statuses = containers.map((c, i): JsonObject => {
      const name = String(at(c, 'name'));
      const image = asString(at(c, 'image')) ?? '';
      const kept = previous[i];
      const running = asString(at(kept, 'state', 'running', 'startedAt'));
      if (running) return kept as JsonObject;
      const path = fieldPath(c);
      if (!quiet) this.recorder.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, NODE_SOURCE, path);
      if (fail?.test(image)) {
        failing.push(name);
        const reason = `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
        if (!quiet) {
          this.recorder.record(pod, 'Warning', 'Failed', `Failed to pull image "${image}": rpc error: code = NotFound desc = ${reason}`, NODE_SOURCE, path);
          this.recorder.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull', NODE_SOURCE, path);
        }
        return {
          name,
          state: { waiting: { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = ${reason}` } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image,
          imageID: '',
          started: false,
        };
      }
      if (!quiet) {
        this.recorder.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in 1s (1s including waiting)`, NODE_SOURCE, path);
        this.recorder.record(pod, 'Normal', 'Created', `Created container: ${name}`, NODE_SOURCE, path);
        this.recorder.record(pod, 'Normal', 'Started', `Started container ${name}`, NODE_SOURCE, path);
      }
      const digest = createHash('sha256').update(image).digest('hex');
      return { name, state: { running: { startedAt: time } }, lastState: {}, ready: true, restartCount: 0, image, imageID: `${image.replace(/[:@].*$/, '')}@sha256:${digest}`, started: true };
    });
    const ip = this.podIp(pod);
    const stored = this.setStatus(pod, {
      ...(asObject(pod.status) ?? {}),
      phase: failing.length === 0 ? 'Running' : 'Pending',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: time },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: time },
        this.condition('Ready', failing, time),
        this.condition('ContainersReady', failing, time),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: time },
      ],
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: statuses,
    });
    if (failing.length === 0) this.failures.delete(key(pod));
    else if (!quiet) this.after(stored, this.options.startMs, (p) => this.backOff(p));
    return stored;
  }

  /** ImagePullBackOff until the next pull, which waits twice as long after each failure. */
  private backOff(pod: KubeObject): void {
    const statuses = asArray(at(pod, 'status', 'containerStatuses')).map((s): Json => {
      if (at(s, 'state', 'waiting', 'reason') !== 'ErrImagePull') return s;
      const image = String(at(s, 'image'));
      const path = `spec.containers{${String(at(s, 'name'))}}`;
      this.recorder.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, NODE_SOURCE, path);
      this.recorder.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', NODE_SOURCE, path);
      return { ...(s as JsonObject), state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } };
    });
    const stored = this.setStatus(pod, { ...(asObject(pod.status) ?? {}), containerStatuses: statuses });
    const failures = (this.failures.get(key(pod)) ?? 0) + 1;
    this.failures.set(key(pod), failures);
    this.after(stored, Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1)), (p) => this.pull(p, false));
  }

  /** A pod being deleted: its containers stop (Killing), then the kubelet removes it for good. */
  private kill(pod: KubeObject): void {
    for (const c of asArray(at(pod, 'spec', 'containers'))) {
      if (asString(at(pod, 'spec', 'nodeName'))) this.recorder.record(pod, 'Normal', 'Killing', `Stopping container ${String(at(c, 'name'))}`, NODE_SOURCE, fieldPath(c));
    }
    this.after(pod, this.options.startMs, (p) => this.cluster.delete(pods, String(p.metadata.namespace), String(p.metadata.name), { gracePeriodSeconds: 0 }));
  }

  private podIp(pod: KubeObject): string {
    const existing = asString(at(pod, 'status', 'podIP'));
    if (existing) return existing;
    const n = this.ipCounter++;
    return `10.244.${(n >> 8) & 255}.${n & 255}`;
  }

  private setStatus(pod: KubeObject, status: JsonObject): KubeObject {
    return this.cluster.replace(pods, String(pod.metadata.namespace), String(pod.metadata.name), { ...pod, status }, KUBELET);
  }
}
