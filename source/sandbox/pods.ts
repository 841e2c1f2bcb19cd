/**
 * The ReplicaSet controller and a stand-in kubelet: keeps each ReplicaSet's pod count at
 * spec.replicas, starts pods one controller step after creation (Running and Ready), or leaves
 * them waiting in ImagePullBackOff when an image matches the failure pattern, and writes the
 * ReplicaSet status the deployment controller reads.
 */
import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import { asArray, asNumber, asObject, asString, at, clone, compact, timestamp, type JsonObject, type KubeObject } from './json.js';
import { pods, replicaSets } from './resources.js';

export const CONTROLLER = { manager: 'kube-controller-manager' };
const KUBELET = { manager: 'kubelet', scope: 'status' as const };
const NODE = 'ecp-sandbox-node';

export interface PodSimOptions {
  /** How long a pod takes from creation to Running (clock time). */
  startMs: number;
  failImage(): RegExp | undefined;
}

function isReady(pod: KubeObject): boolean {
  return asArray(at(pod, 'status', 'conditions')).some((c) => at(c, 'type') === 'Ready' && at(c, 'status') === 'True');
}

function isFailing(pod: KubeObject): boolean {
  return asArray(at(pod, 'status', 'containerStatuses')).some((s) => at(s, 'state', 'waiting', 'reason') === 'ImagePullBackOff');
}

export class PodSimulator {
  private readonly createdAt = new Map<string, number>();
  private ipCounter = 1;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly options: PodSimOptions,
  ) {}

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.cluster.store
      .dependents(String(rs.metadata.uid))
      .filter((d) => d.type === pods)
      .map((d) => this.cluster.store.get(pods, d.namespace, d.name))
      .filter((p): p is KubeObject => p !== undefined);
  }

  /**
   * One step for one ReplicaSet: start pods that are due, create or delete pods to match
   * spec.replicas, update its status. `instant` starts new pods at once (seeding).
   * Returns the stored ReplicaSet and whether some pod is still on its way to Running.
   */
  sync(rs: KubeObject, instant: boolean): { rs: KubeObject; starting: boolean } {
    const now = this.clock.now();
    let current = this.podsOf(rs).map((pod) => this.startIfDue(pod, now, instant));
    const desired = asNumber(at(rs, 'spec', 'replicas')) ?? 0;
    if (current.length < desired) {
      for (let i = current.length; i < desired; i++) current.push(this.create(rs, instant));
    } else if (current.length > desired) {
      // Like the real controller: not-ready pods go first, then the newest.
      const victims = [...current]
        .sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || this.createdMs(b) - this.createdMs(a))
        .slice(0, current.length - desired);
      for (const pod of victims) {
        this.cluster.delete(pods, String(pod.metadata.namespace), String(pod.metadata.name), {});
        this.createdAt.delete(String(pod.metadata.uid));
      }
      current = current.filter((p) => !victims.includes(p));
    }
    const ready = current.filter(isReady).length;
    // ReplicaSetStatus.replicas is the one count without omitempty.
    const status = {
      replicas: current.length,
      ...compact({
        fullyLabeledReplicas: current.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: asNumber(rs.metadata.generation) ?? 1,
      }),
    };
    const stored = this.cluster.replace(replicaSets, String(rs.metadata.namespace), String(rs.metadata.name), { ...rs, status }, { ...CONTROLLER, scope: 'status' });
    return { rs: stored, starting: current.some((p) => !isReady(p) && !isFailing(p)) };
  }

  private createdMs(pod: KubeObject): number {
    return this.createdAt.get(String(pod.metadata.uid)) ?? 0;
  }

  /** Creates a pod as the scheduler leaves it: Pending on our one node, containers being created. */
  private create(rs: KubeObject, instant: boolean): KubeObject {
    const template = asObject(at(rs, 'spec', 'template')) ?? {};
    const metadata: JsonObject = clone(asObject(template.metadata) ?? {});
    metadata.generateName = `${String(rs.metadata.name)}-`;
    metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true },
    ];
    const spec: JsonObject = { ...clone(asObject(template.spec) ?? {}), nodeName: NODE };
    const pod = this.cluster.create(pods, String(rs.metadata.namespace), { apiVersion: 'v1', kind: 'Pod', metadata, spec }, CONTROLLER);
    this.createdAt.set(String(pod.metadata.uid), this.clock.now());
    const now = timestamp(this.clock.now());
    const containers = asArray(at(pod, 'spec', 'containers'));
    const pending: JsonObject = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }],
      hostIP: '10.0.0.10',
      hostIPs: [{ ip: '10.0.0.10' }],
      startTime: now,
      containerStatuses: containers.map((c) => ({
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
    };
    return instant ? this.startIfDue({ ...pod, status: pending }, this.clock.now(), true) : this.setStatus(pod, pending);
  }

  /** The kubelet's part: a pod due to start pulls its images; a failing pattern keeps it waiting. */
  private startIfDue(pod: KubeObject, now: number, instant: boolean): KubeObject {
    if (isReady(pod)) return pod;
    const created = this.createdAt.get(String(pod.metadata.uid)) ?? now;
    if (!instant && now - created < this.options.startMs) return pod;
    const fail = this.options.failImage();
    const containers = asArray(at(pod, 'spec', 'containers'));
    const failing = containers.filter((c) => fail?.test(asString(at(c, 'image')) ?? '') === true).map((c) => String(at(c, 'name')));
    const ready = failing.length === 0;
    if (!ready && isFailing(pod)) return pod; // already backing off: nothing new to report
    const time = timestamp(now);
    const condition = (type: string, ok: boolean): JsonObject =>
      ok
        ? { type, status: 'True', lastProbeTime: null, lastTransitionTime: time }
        : { type, status: 'False', lastProbeTime: null, lastTransitionTime: time, reason: 'ContainersNotReady', message: `containers with unready status: [${failing.join(' ')}]` };
    const previous = asArray(at(pod, 'status', 'containerStatuses'));
    const status: JsonObject = {
      ...(asObject(pod.status) ?? {}),
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', true),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      podIP: this.podIp(pod),
      containerStatuses: containers.map((c, i): JsonObject => {
        const name = String(at(c, 'name'));
        const image = asString(at(c, 'image')) ?? '';
        const bad = failing.includes(name);
        const kept = previous[i];
        const started = bad ? undefined : (asString(at(kept, 'state', 'running', 'startedAt')) ?? time);
        return {
          name,
          state: bad ? { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } : { running: { startedAt: started! } },
          lastState: {},
          ready: !bad,
          restartCount: 0,
          image,
          imageID: bad ? '' : `${image.replace(/[:@].*$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`,
          started: !bad,
        };
      }),
    };
    status.podIPs = [{ ip: status.podIP! }];
    return this.setStatus(pod, status);
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

  forget(uid: string): void {
    this.createdAt.delete(uid);
  }
}
