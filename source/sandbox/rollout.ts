/**
 * The deployment controller, after kube-controller-manager's: a pod-template change gets a new
 * ReplicaSet `<deployment>-<template hash>` with the next revision; replicas move over one
 * controller step at a time within maxSurge / maxUnavailable (or all at once for Recreate);
 * each step writes the status deployment-status.ts computes, and pauses set their conditions.
 * Steps run on the Clock, so a ManualClock makes every rollout deterministic.
 */
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import { asArray, asNumber, asObject, asString, at, canonical, clone, timestamp, type Json, type JsonObject, type KubeObject } from './json.js';
import { calculateStatus, condition, findCondition, isComplete, limits, progressDeadline, setCondition, specReplicas, statusOf, syncProgress } from './deployment-status.js';
import { EndpointsController } from './endpoints.js';
import { EventRecorder } from './events.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';
import { CONTROLLER, ReplicaSetController } from './pods.js';
import { StatefulSetController } from './statefulset.js';
import { deployments, pods, replicaSets } from './resources.js';
import type { Change } from './store.js';
import { bareTemplate, HASH_LABEL, templateHash } from './template.js';

const REVISION = 'deployment.kubernetes.io/revision';

export interface RolloutOptions extends KubeletOptions {
  /** Time between two controller steps of a rollout in progress. */
  stepMs: number;
}

const revisionOf = (rs: KubeObject) => Number(asString(at(rs, 'metadata', 'annotations', REVISION)) ?? '0');
const keyOf = (obj: KubeObject) => `${String(obj.metadata.namespace)}/${String(obj.metadata.name)}`;

export class RolloutController {
  private readonly pods: ReplicaSetController;
  private readonly kubelet: Kubelet;
  private readonly recorder: EventRecorder;
  private readonly statefulSets: StatefulSetController;
  private readonly endpoints: EndpointsController;
  /** Set while seeding: a Deployment settled at once has no history to record. */
  private quiet = false;
  private readonly timers = new Map<string, { due: number; cancel: () => void }>();
  /** Set while the controller writes, so its own changes do not wake it again. */
  private busy = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly options: RolloutOptions,
  ) {
    this.recorder = new EventRecorder(cluster, clock);
    this.kubelet = new Kubelet(cluster, clock, this.recorder, options);
    this.pods = new ReplicaSetController(cluster, clock, this.kubelet, this.recorder);
    this.statefulSets = new StatefulSetController(cluster, clock, this.kubelet, this.recorder, options.stepMs);
    this.endpoints = new EndpointsController(cluster);
  }

  start(): void {
    this.unsubscribe = this.cluster.store.onChange((change) => {
      this.observe(change);
      this.statefulSets.observe(change);
      this.endpoints.observe(change);
    });
    this.kubelet.start();
    this.endpoints.syncAll();
  }

  stop(): void {
    this.unsubscribe?.();
    this.kubelet.stop();
    this.statefulSets.stop();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** Brings a StatefulSet to its finished state at once (seeding): running pods, status. */
  settleStatefulSet(set: KubeObject): void {
    this.statefulSets.settle(set);
  }

  /** Brings a Deployment to its finished state at once (seeding): ReplicaSet, running pods, status. */
  settle(d: KubeObject): void {
    this.quiet = true;
    try {
      this.run(() => this.sync(d, true));
    } finally {
      this.quiet = false;
    }
  }

  /** Wakes every unfinished rollout (the failure pattern changed, so stuck pods may start). */
  wakeAll(): void {
    this.kubelet.wake();
    this.statefulSets.wakeAll();
    for (const d of this.cluster.store.list(deployments)) {
      if (!isComplete(d)) this.schedule(keyOf(d), 0);
    }
  }

  private observe(change: Change): void {
    if (this.busy) return;
    const key = this.ownerKey(change);
    if (!key) return;
    if (change.resource === deployments && change.type === 'DELETED') {
      this.timers.get(key)?.cancel();
      this.timers.delete(key);
    } else this.schedule(key, 0);
  }

  /** The Deployment a change concerns: itself, or the owner of a ReplicaSet or of a pod's ReplicaSet. */
  private ownerKey(change: Change): string | undefined {
    const ns = String(change.object.metadata.namespace);
    const owner = (obj: KubeObject | undefined, kind: string) => asArray(obj?.metadata.ownerReferences).find((r) => at(r, 'kind') === kind && at(r, 'controller') === true);
    if (change.resource === deployments) return keyOf(change.object);
    let rs: KubeObject | undefined = change.object;
    if (change.resource === pods) {
      const ref = owner(change.object, 'ReplicaSet');
      rs = ref ? this.cluster.store.get(replicaSets, ns, String(at(ref, 'name'))) : undefined;
    } else if (change.resource !== replicaSets) return undefined;
    const ref = owner(rs, 'Deployment');
    return ref ? `${ns}/${String(at(ref, 'name'))}` : undefined;
  }

  private schedule(key: string, delay: number): void {
    const due = this.clock.now() + delay;
    const existing = this.timers.get(key);
    if (existing && existing.due <= due) return;
    existing?.cancel();
    const cancel = this.clock.schedule(delay, () => {
      this.timers.delete(key);
      const [ns, name] = key.split('/') as [string, string];
      const d = this.cluster.store.get(deployments, ns, name);
      // A Deployment being deleted (foreground) makes nothing new, as the real controller does.
      if (!d || d.metadata.deletionTimestamp) return;
      try {
        this.run(() => this.sync(d, false));
      } catch {
        // A failed step must not take the API server down: requeue it, as the real controller does.
        this.schedule(key, this.options.stepMs);
      }
    });
    this.timers.set(key, { due, cancel });
  }

  private run(fn: () => void): void {
    this.busy = true;
    try {
      fn();
    } finally {
      this.busy = false;
    }
  }

  private replicaSetsOf(d: KubeObject): KubeObject[] {
    return this.cluster.store.ownedBy(String(d.metadata.uid), replicaSets).sort((a, b) => revisionOf(a) - revisionOf(b));
  }

  /** One controller step for one Deployment. */
  private sync(initial: KubeObject, instant: boolean): void {
    let d = initial;
    const ns = String(d.metadata.namespace);
    const paused = at(d, 'spec', 'paused') === true;
    const time = timestamp(this.clock.now());
    const status: JsonObject = clone(asObject(d.status) ?? {});
    const previousStatus = clone(status);

    // Pods that are due start now, and ReplicaSets report what they have before we decide.
    let starting = false;
    const refresh = (rs: KubeObject) => {
      const result = this.pods.sync(rs, instant);
      starting ||= result.starting;
      return result.rs;
    };
    let all = this.replicaSetsOf(d).map(refresh);

    const template = bareTemplate(at(d, 'spec', 'template'));
    const wanted = canonical(template);
    let newRs = all.find((rs) => canonical(bareTemplate(at(rs, 'spec', 'template'))) === wanted);
    const maxRevision = Math.max(0, ...all.map(revisionOf));
    const pausedBefore = at(findCondition(status, 'Progressing'), 'reason') === 'DeploymentPaused';
    if (paused && !pausedBefore) {
      setCondition(status, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', time));
    } else if (!paused && pausedBefore) {
      setCondition(status, condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', time));
    }
    if (!paused) {
      if (!newRs) {
        newRs = refresh(this.createReplicaSet(d, template, maxRevision + 1, initialReplicas(d, all)));
        all.push(newRs);
        setCondition(status, condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${String(newRs.metadata.name)}"`, time));
      } else if (revisionOf(newRs) < maxRevision) {
        newRs = this.writeSpec(newRs, (rs) => ((rs.metadata.annotations as JsonObject)[REVISION] = String(maxRevision + 1)));
      }
      d = this.setRevision(d, String(revisionOf(newRs)));
    }

    const old = all.filter((rs) => rs.metadata.uid !== newRs?.metadata.uid);
    const scaled = paused ? this.scalePaused(d, newRs ?? old[old.length - 1]) : this.rollStep(d, newRs!, old);
    if (scaled) all = this.replicaSetsOf(d).map(refresh);
    newRs = newRs && all.find((rs) => rs.metadata.uid === newRs!.metadata.uid);

    calculateStatus(d, all, newRs, status, time);
    if (!paused) syncProgress(d, newRs!, previousStatus, status, this.clock.now());
    d = this.cluster.replace(deployments, ns, String(d.metadata.name), { ...d, status }, { ...CONTROLLER, scope: 'status' });
    if (isComplete(d)) this.cleanup(d, newRs);
    else if (!paused && !instant) this.scheduleNext(d, starting || scaled);
  }

  private createReplicaSet(d: KubeObject, template: Json, revision: number, replicas: number): KubeObject {
    const hash = templateHash(template);
    const name = `${String(d.metadata.name)}-${hash}`;
    const podTemplate = clone(asObject(template) ?? {});
    const meta = (podTemplate.metadata = asObject(podTemplate.metadata) ?? {});
    const labels = { ...(asObject(meta.labels) ?? {}), [HASH_LABEL]: hash };
    meta.labels = labels;
    const selector = clone(asObject(at(d, 'spec', 'selector')) ?? {});
    selector.matchLabels = { ...(asObject(selector.matchLabels) ?? {}), [HASH_LABEL]: hash };
    const annotations: JsonObject = {};
    for (const [k, v] of Object.entries(asObject(d.metadata.annotations) ?? {})) {
      if (!k.startsWith('deployment.kubernetes.io/') && k !== 'kubectl.kubernetes.io/last-applied-configuration') annotations[k] = v;
    }
    const { desired, surge } = limits(d);
    Object.assign(annotations, {
      'deployment.kubernetes.io/desired-replicas': String(desired),
      'deployment.kubernetes.io/max-replicas': String(desired + surge),
      [REVISION]: String(revision),
    });
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace!,
        labels,
        annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, selector, template: podTemplate },
    };
    if (typeof at(d, 'spec', 'minReadySeconds') === 'number') (rs.spec as JsonObject).minReadySeconds = at(d, 'spec', 'minReadySeconds')!;
    const created = this.cluster.create(replicaSets, String(d.metadata.namespace), rs, CONTROLLER);
    if (replicas > 0) this.scalingEvent(d, created, 0, replicas);
    return created;
  }

  private writeSpec(obj: KubeObject, change: (copy: KubeObject) => void): KubeObject {
    const copy = clone(obj);
    copy.metadata.annotations = asObject(copy.metadata.annotations) ?? {};
    change(copy);
    const type = obj.kind === 'Deployment' ? deployments : replicaSets;
    return this.cluster.replace(type, String(obj.metadata.namespace), String(obj.metadata.name), copy, CONTROLLER);
  }

  /** Through the status subresource, as the deployment controller does, so the generation stays. */
  private setRevision(d: KubeObject, revision: string): KubeObject {
    if (at(d, 'metadata', 'annotations', REVISION) === revision) return d;
    const copy = clone(d);
    copy.metadata.annotations = { ...(asObject(copy.metadata.annotations) ?? {}), [REVISION]: revision };
    return this.cluster.replace(deployments, String(d.metadata.namespace), String(d.metadata.name), copy, { ...CONTROLLER, scope: 'status' });
  }

  private scale(d: KubeObject, rs: KubeObject, replicas: number): void {
    const from = specReplicas(rs);
    if (from === replicas) return;
    this.writeSpec(rs, (copy) => ((copy.spec as JsonObject).replicas = replicas));
    this.scalingEvent(d, rs, from, replicas);
  }

  private scalingEvent(d: KubeObject, rs: KubeObject, from: number, to: number): void {
    if (this.quiet) return;
    const direction = to > from ? 'up' : 'down';
    this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${String(rs.metadata.name)} from ${from} to ${to}`, { component: 'deployment-controller' });
  }

  /** A paused Deployment still follows spec.replicas, on its current ReplicaSet. */
  private scalePaused(d: KubeObject, rs: KubeObject | undefined): boolean {
    const { desired } = limits(d);
    if (!rs || specReplicas(rs) === desired) return false;
    this.scale(d, rs, desired);
    return true;
  }

  /** reconcileNewReplicaSet, then reconcileOldReplicaSets, one move per step as the real controller does. */
  private rollStep(d: KubeObject, newRs: KubeObject, old: KubeObject[]): boolean {
    const { desired, surge, unavailable } = limits(d);
    const active = old.filter((rs) => specReplicas(rs) > 0);
    const settleNew = () => {
      const changed = specReplicas(newRs) !== desired;
      this.scale(d, newRs, desired);
      return changed;
    };
    if (at(d, 'spec', 'strategy', 'type') === 'Recreate') {
      if (active.length > 0) {
        for (const rs of active) this.scale(d, rs, 0);
        return true;
      }
      return old.some((rs) => statusOf(rs, 'replicas') > 0) ? false : settleNew();
    }
    if (specReplicas(newRs) > desired || active.length === 0) return settleNew();
    const oldTotal = active.reduce((n, rs) => n + specReplicas(rs), 0);
    if (specReplicas(newRs) < desired) {
      const up = Math.min(desired + surge - oldTotal - specReplicas(newRs), desired - specReplicas(newRs));
      if (up > 0) {
        this.scale(d, newRs, specReplicas(newRs) + up);
        return true;
      }
    }
    const minAvailable = desired - unavailable;
    const newUnavailable = specReplicas(newRs) - statusOf(newRs, 'availableReplicas');
    let budget = oldTotal + specReplicas(newRs) - minAvailable - newUnavailable;
    if (budget <= 0) return false;
    // First old replicas that are not available anyway, then available ones down to minAvailable.
    const target = new Map(active.map((rs) => [rs, specReplicas(rs)]));
    for (const rs of active) {
      const cut = Math.min(budget, target.get(rs)! - statusOf(rs, 'availableReplicas'));
      if (cut > 0) {
        target.set(rs, target.get(rs)! - cut);
        budget -= cut;
      }
    }
    const available = statusOf(newRs, 'availableReplicas') + active.reduce((n, rs) => n + statusOf(rs, 'availableReplicas'), 0);
    let down = available - minAvailable;
    for (const rs of active) {
      const cut = Math.min(target.get(rs)!, Math.max(0, down));
      target.set(rs, target.get(rs)! - cut);
      down -= cut;
    }
    let changed = false;
    for (const [rs, replicas] of target) {
      if (replicas === specReplicas(rs)) continue;
      this.scale(d, rs, replicas);
      changed = true;
    }
    return changed;
  }

  /** Next step: soon while something moves; at the progress deadline when the rollout is stuck. */
  private scheduleNext(d: KubeObject, moving: boolean): void {
    if (moving) {
      this.schedule(keyOf(d), this.options.stepMs);
      return;
    }
    const deadline = progressDeadline(d, asObject(d.status) ?? {});
    if (deadline !== undefined) this.schedule(keyOf(d), Math.max(0, deadline - this.clock.now()) + 1000);
  }

  /** Keeps revisionHistoryLimit scaled-down old ReplicaSets, deleting older ones. */
  private cleanup(d: KubeObject, newRs: KubeObject | undefined): void {
    const limit = asNumber(at(d, 'spec', 'revisionHistoryLimit')) ?? 10;
    const idle = this.replicaSetsOf(d).filter((rs) => rs.metadata.uid !== newRs?.metadata.uid && specReplicas(rs) === 0 && statusOf(rs, 'replicas') === 0);
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      this.cluster.delete(replicaSets, String(rs.metadata.namespace), String(rs.metadata.name), {});
    }
  }
}

/** NewRSNewReplicas: a new ReplicaSet starts as large as maxSurge allows (Recreate: once the old pods are gone). */
function initialReplicas(d: KubeObject, existing: KubeObject[]): number {
  const { desired, surge } = limits(d);
  const current = existing.reduce((n, rs) => n + specReplicas(rs), 0);
  if (at(d, 'spec', 'strategy', 'type') === 'Recreate') {
    return current === 0 && existing.every((rs) => statusOf(rs, 'replicas') === 0) ? desired : 0;
  }
  return Math.max(0, Math.min(desired + surge - current, desired));
}
