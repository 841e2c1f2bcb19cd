/**
 * Which pods say whether a workload's new version fails (currentRevisionPods), over plain
 * objects shaped as the API server returns them: a StatefulSet's pods at its update revision, a
 * Deployment's of its newest ReplicaSet (or, without ReplicaSets, those running the template's
 * images), and none before the controller has observed the latest spec.
 */
import { expect, it } from 'vitest';
import { currentRevisionPods, workloadHealthWithPods, type LiveStatefulSet } from '../../source/domain/health.js';
import type { LiveDeployment, LivePod, LiveReplicaSet } from '../../source/domain/kube-types.js';

const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

function pod(name: string, tag: string, labels: Record<string, string>, failing: boolean, owner?: string): LivePod {
  return {
    metadata: { name, namespace: 'shop', labels: { app: 'callbot', ...labels }, ...(owner ? { ownerReferences: [{ kind: 'ReplicaSet', name: owner, uid: `uid-${owner}` }] } : {}) },
    spec: { containers: [{ name: 'callbot', image: image(tag) }] },
    status: failing
      ? { phase: 'Pending', containerStatuses: [{ name: 'callbot', ready: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } }] }
      : { phase: 'Running', containerStatuses: [{ name: 'callbot', ready: true, state: { running: {} } }] },
  };
}

const statefulSet = (over: Partial<NonNullable<LiveStatefulSet['status']>> = {}, generation = 2): LiveStatefulSet => ({
  metadata: { name: 'callbot', namespace: 'shop', uid: 'sts', generation },
  spec: { replicas: 2, selector: { matchLabels: { app: 'callbot' } }, template: { spec: { containers: [{ name: 'callbot', image: image('v2') }] } } },
  status: { observedGeneration: 2, replicas: 2, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'callbot-old', updateRevision: 'callbot-new', ...over },
});

it("a StatefulSet's pods at other revisions than status.updateRevision do not make it Degraded", () => {
  const old = pod('callbot-1', 'v1', { 'controller-revision-hash': 'callbot-old' }, true);
  const fresh = pod('callbot-0', 'v2', { 'controller-revision-hash': 'callbot-new' }, false);
  const sts = { kind: 'StatefulSet' as const, object: statefulSet() };
  expect(currentRevisionPods(sts, [old, fresh])).toEqual([fresh]);
  expect(workloadHealthWithPods(sts, [old, fresh]).status).toBe('Progressing');
  // Its update revision's own pod failing is the new version failing.
  const failingNew = pod('callbot-0', 'v2', { 'controller-revision-hash': 'callbot-new' }, true);
  expect(workloadHealthWithPods(sts, [old, failingNew])).toEqual({ status: 'Degraded', message: 'Pod callbot-0 container callbot is in CrashLoopBackOff: back-off 10s' });
});

it('before the controller has observed the latest spec, no pod is of the new revision', () => {
  const sts = { kind: 'StatefulSet' as const, object: statefulSet({ updateRevision: 'callbot-old' }, 3) };
  const old = pod('callbot-1', 'v1', { 'controller-revision-hash': 'callbot-old' }, true);
  expect(currentRevisionPods(sts, [old])).toEqual([]);
  expect(workloadHealthWithPods(sts, [old]).status).toBe('Progressing');
});

const deployment: LiveDeployment = {
  metadata: { name: 'callbot', namespace: 'shop', uid: 'dep', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } },
  spec: { replicas: 1, selector: { matchLabels: { app: 'callbot' } }, template: { spec: { containers: [{ name: 'callbot', image: image('v2') }] } } },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 0 },
};
const replicaSet = (hash: string, revision: string): LiveReplicaSet => ({
  metadata: {
    name: `callbot-${hash}`,
    namespace: 'shop',
    uid: `uid-callbot-${hash}`,
    labels: { 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': revision },
    ownerReferences: [{ kind: 'Deployment', name: 'callbot', uid: 'dep' }],
  },
});

it("a Deployment's current revision is its newest ReplicaSet's; without ReplicaSets, the pods running the template's images", () => {
  const old = pod('callbot-aaa-1', 'v1', { 'pod-template-hash': 'aaa' }, true, 'callbot-aaa');
  const fresh = pod('callbot-bbb-1', 'v2', { 'pod-template-hash': 'bbb' }, false, 'callbot-bbb');
  const d = { kind: 'Deployment' as const, object: deployment };
  expect(currentRevisionPods(d, [old, fresh], [replicaSet('aaa', '1'), replicaSet('bbb', '2')])).toEqual([fresh]);
  expect(workloadHealthWithPods(d, [old, fresh], [replicaSet('aaa', '1'), replicaSet('bbb', '2')]).status).toBe('Progressing');
  expect(workloadHealthWithPods(d, [old, fresh]).status).toBe('Progressing');
  // `kubectl rollout undo` made the old ReplicaSet the newest again (revision 3): its pods are the current ones.
  const undone = { kind: 'Deployment' as const, object: { ...deployment, metadata: { ...deployment.metadata, annotations: { 'deployment.kubernetes.io/revision': '3' } } } };
  expect(currentRevisionPods(undone, [old, fresh], [replicaSet('aaa', '3'), replicaSet('bbb', '2')])).toEqual([old]);
});
