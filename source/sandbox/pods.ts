/**
 * The ReplicaSet controller: keeps each ReplicaSet's pod count at spec.replicas (pods being
 * deleted no longer count), records SuccessfulCreate / SuccessfulDelete, and writes the
 * ReplicaSet status the deployment controller reads: a pod is available once it has been Ready
 * for spec.minReadySeconds, as the real controller counts it. The kubelet (kubelet.ts) runs the pods.
 */
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { EventRecorder } from './events.js';
import { asArray, asNumber, asObject, asString, at, clone, compact, type JsonObject, type KubeObject } from './json.js';
import { isPullFailing, isReady, NODE, type Kubelet } from './kubelet.js';
import { pods, replicaSets } from './resources.js';

export const CONTROLLER = { manager: 'kube-controller-manager' };
const SOURCE = { component: 'replicaset-controller' };

/** Creation order, to the second, then by name (the newest go first when scaling down). */
const created = (pod: KubeObject) => `${asString(pod.metadata.creationTimestamp) ?? ''}/${String(pod.metadata.name)}`;

export class ReplicaSetController {
  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly kubelet: Kubelet,
    private readonly recorder: EventRecorder,
  ) {}

  /** Ready for at least minReadySeconds (podutil.IsPodAvailable); seeding counts a ready pod available at once. */
  private isAvailable(pod: KubeObject, minReadySeconds: number, instant: boolean): boolean {
    if (!isReady(pod)) return false;
    if (minReadySeconds === 0 || instant) return true;
    const since = asArray(at(pod, 'status', 'conditions')).find((c) => at(c, 'type') === 'Ready');
    const readyAt = Date.parse(asString(at(since, 'lastTransitionTime')) ?? '');
    return Number.isFinite(readyAt) && readyAt + minReadySeconds * 1000 <= this.clock.now();
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.cluster.store.ownedBy(String(rs.metadata.uid), pods).filter((p) => !p.metadata.deletionTimestamp);
  }

  /**
   * One step for one ReplicaSet: create or delete pods to match spec.replicas, update its
   * status. `instant` starts new pods at once (seeding). Returns the stored ReplicaSet and
   * whether some pod is still on its way to Running.
   */
  sync(rs: KubeObject, instant: boolean): { rs: KubeObject; starting: boolean } {
    let current = this.podsOf(rs);
    const desired = asNumber(at(rs, 'spec', 'replicas')) ?? 0;
    if (current.length < desired) {
      for (let i = current.length; i < desired; i++) current.push(this.create(rs, instant));
    } else if (current.length > desired) {
      // Like the real controller: not-ready pods go first, then the newest.
      const victims = [...current].sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || created(b).localeCompare(created(a))).slice(0, current.length - desired);
      for (const pod of victims) {
        this.cluster.delete(pods, String(pod.metadata.namespace), String(pod.metadata.name), { gracePeriodSeconds: instant ? 0 : undefined });
        if (!instant) this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${String(pod.metadata.name)}`, SOURCE);
      }
      current = current.filter((p) => !victims.includes(p));
    }
    const ready = current.filter(isReady).length;
    const minReadySeconds = asNumber(at(rs, 'spec', 'minReadySeconds')) ?? 0;
    const available = current.filter((p) => this.isAvailable(p, minReadySeconds, instant)).length;
    // ReplicaSetStatus.replicas is the one count without omitempty.
    const status = {
      replicas: current.length,
      ...compact({
        fullyLabeledReplicas: current.length,
        readyReplicas: ready,
        availableReplicas: available,
        observedGeneration: asNumber(rs.metadata.generation) ?? 1,
      }),
    };
    const stored = this.cluster.replace(replicaSets, String(rs.metadata.namespace), String(rs.metadata.name), { ...rs, status }, { ...CONTROLLER, scope: 'status' });
    // A ready pod not yet available counts as starting: the deployment controller looks again.
    return { rs: stored, starting: current.some((p) => (!isReady(p) && !isPullFailing(p)) || (isReady(p) && !this.isAvailable(p, minReadySeconds, instant))) };
  }

  /** Creates a pod from the template; the kubelet binds it to the node at once. */
  private create(rs: KubeObject, instant: boolean): KubeObject {
    const template = asObject(at(rs, 'spec', 'template')) ?? {};
    const metadata: JsonObject = clone(asObject(template.metadata) ?? {});
    metadata.generateName = `${String(rs.metadata.name)}-`;
    metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    // Seeding places the pod on the node itself; otherwise the scheduler binds it.
    const spec: JsonObject = { ...clone(asObject(template.spec) ?? {}), ...(instant ? { nodeName: NODE } : {}) };
    const pod = this.cluster.create(pods, String(rs.metadata.namespace), { apiVersion: 'v1', kind: 'Pod', metadata, spec }, CONTROLLER);
    if (instant) return this.kubelet.settle(pod);
    this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${String(pod.metadata.name)}`, SOURCE);
    return this.cluster.store.get(pods, String(pod.metadata.namespace), String(pod.metadata.name)) ?? pod;
  }
}
