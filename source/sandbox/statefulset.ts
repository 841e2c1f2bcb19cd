/**
 * The StatefulSet controller, after kube-controller-manager's: pods `<set>-<ordinal>` labelled
 * with the ControllerRevision of the template they were made from (controller-revision-hash);
 * OrderedReady creates them one at a time in ordinal order (Parallel all at once) and removes
 * the highest first; RollingUpdate replaces pods from the highest ordinal down to the partition,
 * one at a time once the others are ready; OnDelete replaces a pod only when someone deletes it.
 * status.currentRevision becomes the updateRevision when every pod runs it.
 */
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { EventRecorder } from './events.js';
import { asArray, asNumber, asObject, asString, at, clone, compact, deepEqual, type Json, type JsonObject, type KubeObject } from './json.js';
import { isReady, NODE, type Kubelet } from './kubelet.js';
import { CONTROLLER } from './pods.js';
import { controllerRevisions, pods, statefulSets } from './resources.js';
import type { Change } from './store.js';
import { templateHash } from './template.js';

const REVISION_LABEL = 'controller-revision-hash';
const SOURCE = { component: 'statefulset-controller' };

const keyOf = (obj: KubeObject) => `${String(obj.metadata.namespace)}/${String(obj.metadata.name)}`;
const ordinalOf = (pod: KubeObject, set: string) => Number(String(pod.metadata.name).slice(set.length + 1));
const revisionLabel = (pod: KubeObject) => asString(at(pod, 'metadata', 'labels', REVISION_LABEL));

export class StatefulSetController {
  private readonly timers = new Map<string, () => void>();
  private busy = false;
  private quiet = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly kubelet: Kubelet,
    private readonly recorder: EventRecorder,
    private readonly stepMs: number,
  ) {}

  /** Whether a change concerns a StatefulSet (itself or one of its pods); schedules its sync. */
  observe(change: Change): void {
    if (this.busy) return;
    if (change.resource === statefulSets) {
      if (change.type === 'DELETED') {
        this.timers.get(keyOf(change.object))?.();
        this.timers.delete(keyOf(change.object));
      } else this.schedule(keyOf(change.object), 0);
      return;
    }
    if (change.resource !== pods) return;
    const ref = asArray(change.object.metadata.ownerReferences).find((r) => at(r, 'kind') === 'StatefulSet' && at(r, 'controller') === true);
    if (ref) this.schedule(`${String(change.object.metadata.namespace)}/${String(at(ref, 'name'))}`, 0);
  }

  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** Brings a StatefulSet to its finished state at once (seeding). */
  settle(set: KubeObject): void {
    this.quiet = true;
    this.busy = true;
    try {
      // Each round adds the next ordinal; a set of N replicas settles in N + 1 rounds.
      for (let i = 0, n = (asNumber(at(set, 'spec', 'replicas')) ?? 1) + 1; i <= n; i++) {
        const current = this.cluster.store.get(statefulSets, String(set.metadata.namespace), String(set.metadata.name));
        if (current) this.sync(current, true);
      }
    } finally {
      this.quiet = false;
      this.busy = false;
    }
  }

  wakeAll(): void {
    for (const set of this.cluster.store.list(statefulSets)) this.schedule(keyOf(set), 0);
  }

  private schedule(key: string, delay: number): void {
    if (this.timers.has(key) && delay > 0) return;
    this.timers.get(key)?.();
    const cancel = this.clock.schedule(delay, () => {
      if (this.timers.get(key) === cancel) this.timers.delete(key);
      const [ns, name] = key.split('/') as [string, string];
      const set = this.cluster.store.get(statefulSets, ns, name);
      if (!set || set.metadata.deletionTimestamp) return;
      this.busy = true;
      try {
        if (this.sync(set, false)) this.schedule(key, this.stepMs);
      } catch {
        // A failed step must not take the API server down: requeue it.
        this.schedule(key, this.stepMs);
      } finally {
        this.busy = false;
      }
    });
    this.timers.set(key, cancel);
  }

  private podsOf(set: KubeObject): KubeObject[] {
    return this.cluster.store.ownedBy(String(set.metadata.uid), pods).sort((a, b) => ordinalOf(a, String(set.metadata.name)) - ordinalOf(b, String(set.metadata.name)));
  }

  private revisionsOf(set: KubeObject): KubeObject[] {
    return this.cluster.store.ownedBy(String(set.metadata.uid), controllerRevisions).sort((a, b) => (asNumber(a.revision) ?? 0) - (asNumber(b.revision) ?? 0));
  }

  /** The ControllerRevision of the current template: found by its data, renumbered when it comes back, or made. */
  private updateRevision(set: KubeObject): KubeObject {
    const name = String(set.metadata.name);
    const namespace = String(set.metadata.namespace);
    const template = clone(asObject(at(set, 'spec', 'template')) ?? {});
    // What `kubectl rollout undo` applies back: the template, replacing the set's whole.
    const data: JsonObject = { spec: { template: { ...template, $patch: 'replace' } } };
    const revisions = this.revisionsOf(set);
    const latest = Math.max(0, ...revisions.map((r) => asNumber(r.revision) ?? 0));
    const existing = revisions.find((r) => deepEqual(r.data, data));
    if (existing) {
      if ((asNumber(existing.revision) ?? 0) === latest) return existing;
      return this.cluster.replace(controllerRevisions, namespace, String(existing.metadata.name), { ...existing, revision: latest + 1 }, CONTROLLER);
    }
    const hash = templateHash(template);
    const labels = { ...(asObject(at(set, 'spec', 'selector', 'matchLabels')) ?? {}), [REVISION_LABEL]: `${name}-${hash}` };
    return this.cluster.create(
      controllerRevisions,
      namespace,
      {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: `${name}-${hash}`,
          labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        data,
        revision: latest + 1,
      },
      CONTROLLER,
    );
  }

  private templateOf(set: KubeObject, revisionName: string): JsonObject {
    const revision = this.cluster.store.get(controllerRevisions, String(set.metadata.namespace), revisionName);
    const template = at(revision, 'data', 'spec', 'template');
    const out = clone(asObject(template ?? at(set, 'spec', 'template')) ?? {});
    delete out.$patch;
    return out;
  }

  private createPod(set: KubeObject, ordinal: number, revisionName: string): void {
    const name = String(set.metadata.name);
    const podName = `${name}-${ordinal}`;
    const template = this.templateOf(set, revisionName);
    const metadata = clone(asObject(template.metadata) ?? {});
    metadata.name = podName;
    metadata.labels = {
      ...(asObject(metadata.labels) ?? {}),
      [REVISION_LABEL]: revisionName,
      'statefulset.kubernetes.io/pod-name': podName,
      'apps.kubernetes.io/pod-index': String(ordinal),
    };
    metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const spec: JsonObject = { ...clone(asObject(template.spec) ?? {}), hostname: podName, ...(this.quiet ? { nodeName: NODE } : {}) };
    const serviceName = asString(at(set, 'spec', 'serviceName'));
    if (serviceName) spec.subdomain = serviceName;
    const pod = this.cluster.create(pods, String(set.metadata.namespace), { apiVersion: 'v1', kind: 'Pod', metadata, spec }, CONTROLLER);
    if (this.quiet) this.kubelet.settle(pod);
    else this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`, SOURCE);
  }

  private deletePod(set: KubeObject, pod: KubeObject): void {
    this.cluster.delete(pods, String(pod.metadata.namespace), String(pod.metadata.name), { gracePeriodSeconds: this.quiet ? 0 : undefined });
    if (!this.quiet) this.recorder.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${String(pod.metadata.name)} in StatefulSet ${String(set.metadata.name)} successful`, SOURCE);
  }

  /** One controller step; true when the set is still moving (another step is due). */
  private sync(set: KubeObject, instant: boolean): boolean {
    const name = String(set.metadata.name);
    const replicas = asNumber(at(set, 'spec', 'replicas')) ?? 1;
    const parallel = at(set, 'spec', 'podManagementPolicy') === 'Parallel';
    const onDelete = at(set, 'spec', 'updateStrategy', 'type') === 'OnDelete';
    const partition = asNumber(at(set, 'spec', 'updateStrategy', 'rollingUpdate', 'partition')) ?? 0;
    const update = String(this.updateRevision(set).metadata.name);
    const current = asString(at(set, 'status', 'currentRevision')) ?? update;
    const all = this.podsOf(set);
    const live = all.filter((p) => !p.metadata.deletionTimestamp);
    const byOrdinal = new Map(all.map((p) => [ordinalOf(p, name), p]));
    const ready = (p: KubeObject | undefined) => p !== undefined && !p.metadata.deletionTimestamp && (instant || isReady(p));
    let acted = false;

    // Missing ordinals below replicas: the update revision, except below the partition.
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      if (byOrdinal.has(ordinal)) {
        if (!parallel && !ready(byOrdinal.get(ordinal))) break;
        continue;
      }
      this.createPod(set, ordinal, !onDelete && ordinal < partition ? current : update);
      acted = true;
      if (!parallel) break;
    }
    // Ordinals at or past replicas go, the highest first.
    const extra = live.filter((p) => ordinalOf(p, name) >= replicas).reverse();
    for (const pod of parallel ? extra : extra.slice(0, 1)) {
      this.deletePod(set, pod);
      acted = true;
    }
    // A rolling update replaces one outdated pod at a time, once every other pod is ready.
    if (!acted && !onDelete && live.length === replicas && live.every((p) => ready(p))) {
      const outdated = live.filter((p) => ordinalOf(p, name) >= partition && revisionLabel(p) !== update).reverse()[0];
      if (outdated) {
        this.deletePod(set, outdated);
        acted = true;
      }
    }

    const counted = this.podsOf(set).filter((p) => !p.metadata.deletionTimestamp && ordinalOf(p, name) < replicas);
    const readyCount = counted.filter(ready).length;
    const updated = counted.filter((p) => revisionLabel(p) === update).length;
    let currentRevision = current;
    let currentReplicas = counted.filter((p) => revisionLabel(p) === current).length;
    if (!onDelete && updated === counted.length && readyCount === counted.length && counted.length === replicas) {
      currentRevision = update;
      currentReplicas = updated;
    }
    const status: JsonObject = {
      ...compact({ observedGeneration: asNumber(set.metadata.generation) ?? 1 }),
      replicas: counted.length,
      ...compact({ readyReplicas: readyCount, currentReplicas, updatedReplicas: updated }),
      currentRevision,
      updateRevision: update,
      collisionCount: 0,
      ...compact({ availableReplicas: readyCount }),
    };
    const previous: Json = set.status ?? {};
    if (!deepEqual(previous, status)) {
      this.cluster.replace(statefulSets, String(set.metadata.namespace), name, { ...set, status }, { ...CONTROLLER, scope: 'status' });
    }
    // Pods on their way to ready wake the set through their own changes; a step moves again.
    return acted;
  }
}
