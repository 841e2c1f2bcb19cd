/** The rollout simulator, driven step by step by a ManualClock. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { call, deployment, openWatch, patchTypes, sandbox } from './helpers.js';

const STEP = 1000;

async function setup(options: { failImage?: RegExp } = {}) {
  const clock = new ManualClock();
  const sb = await sandbox({ clock, ...options, namespaces: ['fail', 'gc', 'pause', 'ro', 'scale'] });
  return { sb, clock };
}

type Sb = Awaited<ReturnType<typeof sandbox>>;
const path = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
const get = async (sb: Sb, ns: string, name: string) => (await call(sb, 'GET', path(ns, name))).body;
const setImage = (sb: Sb, ns: string, name: string, image: string) =>
  call(sb, 'PATCH', `${path(ns, name)}?fieldManager=kubectl-set`, { spec: { template: { spec: { containers: [{ name, image }] } } } }, { 'content-type': patchTypes.strategic });
const condition = (d: any, type: string) => d.status.conditions?.find((c: any) => c.type === type);
const pods = async (sb: Sb, ns: string, app: string) => (await call(sb, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items;
const replicaSets = async (sb: Sb, ns: string, app: string) => (await call(sb, 'GET', `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3D${app}`)).body.items;

describe('rollout simulator', () => {
  it('stands still until the clock moves, then rolls a new template out one step at a time', async () => {
    const { sb, clock } = await setup();
    expect((await call(sb, 'POST', path('ro'), deployment('web', 'ro', 'web:1', 3))).status).toBe(201);
    expect((await get(sb, 'ro', 'web')).status).toBeUndefined();

    clock.advance(0);
    let d = await get(sb, 'ro', 'web');
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect((await pods(sb, 'ro', 'web')).map((p: any) => p.status.containerStatuses[0].state.waiting.reason)).toEqual(['ContainerCreating', 'ContainerCreating', 'ContainerCreating']);

    clock.advance(STEP);
    d = await get(sb, 'ro', 'web');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect((await pods(sb, 'ro', 'web')).every((p: any) => p.status.phase === 'Running')).toBe(true);

    const watch = await openWatch(sb, `${path('ro')}?watch=1&fieldSelector=metadata.name%3Dweb&resourceVersion=${d.metadata.resourceVersion}`);
    expect((await setImage(sb, 'ro', 'web', 'web:2')).body.metadata.generation).toBe(2);
    expect((await watch.next()).object.metadata.generation).toBe(2);

    clock.advance(0);
    const created = (await watch.next()).object;
    expect(created.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const observed = (await watch.next()).object;
    // 3 replicas, maxSurge 25% → 1 extra pod, maxUnavailable 25% → 0: one new pod first.
    expect(observed.status).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 });
    expect(condition(observed, 'Progressing')).toMatchObject({ reason: 'NewReplicaSetCreated' });

    const seen: string[] = [];
    d = observed;
    for (let i = 0; i < 10 && !(d.status.updatedReplicas === 3 && d.status.replicas === 3 && d.status.availableReplicas === 3); i++) {
      clock.advance(STEP);
      d = await get(sb, 'ro', 'web');
      seen.push(`${d.status.replicas}/${d.status.updatedReplicas}/${d.status.availableReplicas}`);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(condition(d, 'Progressing').message).toMatch(/^ReplicaSet "web-[a-z0-9]+" has successfully progressed\.$/);
    const sets = await replicaSets(sb, 'ro', 'web');
    expect(sets.map((rs: any) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas])).toEqual(
      expect.arrayContaining([
        ['1', 0],
        ['2', 3],
      ]),
    );
    // The last old pod is Terminating until its kubelet has stopped it.
    clock.advance(STEP);
    expect((await pods(sb, 'ro', 'web')).map((p: any) => p.spec.containers[0].image)).toEqual(['web:2', 'web:2', 'web:2']);
    watch.close();
  });

  it('takes pods of a failing image through ErrImagePull to ImagePullBackOff and reports ProgressDeadlineExceeded after the deadline', async () => {
    const { sb, clock } = await setup({ failImage: /:broken$/ });
    const d0 = deployment('api', 'fail', 'api:1', 1);
    (d0.spec as any).progressDeadlineSeconds = 60;
    await call(sb, 'POST', path('fail'), d0);
    clock.advance(STEP);
    expect((await get(sb, 'fail', 'api')).status.availableReplicas).toBe(1);

    await setImage(sb, 'fail', 'api', 'api:broken');
    clock.advance(STEP);
    const stuck = (await pods(sb, 'fail', 'api')).find((p: any) => p.spec.containers[0].image === 'api:broken');
    expect(stuck.status.phase).toBe('Pending');
    expect(stuck.status.containerStatuses[0]).toMatchObject({ ready: false, state: { waiting: { reason: 'ErrImagePull' } } });
    clock.advance(STEP);
    const backingOff = (await pods(sb, 'fail', 'api')).find((p: any) => p.spec.containers[0].image === 'api:broken');
    expect(backingOff.status.containerStatuses[0]).toMatchObject({ ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "api:broken"' } } });
    let d = await get(sb, 'fail', 'api');
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 1, availableReplicas: 1, unavailableReplicas: 1 });
    // No progress since the new ReplicaSet was made: the deadline counts from then.
    expect(condition(d, 'Progressing').reason).toBe('NewReplicaSetCreated');

    clock.advance(58 * STEP);
    expect(condition(await get(sb, 'fail', 'api'), 'Progressing').reason).toBe('NewReplicaSetCreated');
    clock.advance(2 * STEP);
    d = await get(sb, 'fail', 'api');
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(condition(d, 'Progressing').message).toMatch(/^ReplicaSet "api-[a-z0-9]+" has timed out progressing\.$/);
    // The old pod keeps serving.
    expect(condition(d, 'Available').status).toBe('True');

    // The registry is fixed: the stuck pod pulls at the next step and the rollout completes.
    sb.setFailImage(undefined);
    clock.advance(0);
    for (let i = 0; i < 3; i++) clock.advance(STEP);
    d = await get(sb, 'fail', 'api');
    expect(d.status).toMatchObject({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
    expect(condition(d, 'Progressing').reason).toBe('NewReplicaSetAvailable');
  });

  it('does not roll out while paused, and resumes', async () => {
    const { sb, clock } = await setup();
    await call(sb, 'POST', path('pause'), deployment('p', 'pause', 'p:1', 2));
    clock.advance(2 * STEP);
    await call(sb, 'PATCH', path('pause', 'p'), { spec: { paused: true } }, { 'content-type': patchTypes.merge });
    await setImage(sb, 'pause', 'p', 'p:2');
    clock.advance(5 * STEP);
    let d = await get(sb, 'pause', 'p');
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    expect((await replicaSets(sb, 'pause', 'p')).length).toBe(1);
    expect((await pods(sb, 'pause', 'p')).map((p: any) => p.spec.containers[0].image)).toEqual(['p:1', 'p:1']);

    await call(sb, 'PATCH', path('pause', 'p'), { spec: { paused: false } }, { 'content-type': patchTypes.merge });
    clock.advance(0);
    expect((await replicaSets(sb, 'pause', 'p')).length).toBe(2);
    for (let i = 0; i < 6; i++) clock.advance(STEP);
    d = await get(sb, 'pause', 'p');
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect((await pods(sb, 'pause', 'p')).map((p: any) => p.spec.containers[0].image)).toEqual(['p:2', 'p:2']);
  });

  it('scales up and down, and replaces a deleted pod', async () => {
    const { sb, clock } = await setup();
    await call(sb, 'POST', path('scale'), deployment('s', 'scale', 's:1', 1));
    clock.advance(STEP);
    await call(sb, 'PATCH', `${path('scale', 's')}/scale`, { spec: { replicas: 3 } }, { 'content-type': patchTypes.merge });
    clock.advance(STEP);
    expect((await get(sb, 'scale', 's')).status).toMatchObject({ replicas: 3, availableReplicas: 3 });
    expect((await call(sb, 'GET', `${path('scale', 's')}/scale`)).body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
      status: { replicas: 3, selector: 'app=s' },
    });

    const victim = (await pods(sb, 'scale', 's'))[0].metadata.name;
    const deleted = await call(sb, 'DELETE', `/api/v1/namespaces/scale/pods/${victim}`);
    // A pod on a node is Terminating first: marked with its grace period, replaced at once.
    expect(deleted.body).toMatchObject({ kind: 'Pod', metadata: { name: victim, deletionGracePeriodSeconds: 30 } });
    clock.advance(0);
    const after = await pods(sb, 'scale', 's');
    expect(after.filter((p: any) => !p.metadata.deletionTimestamp)).toHaveLength(3);
    clock.advance(STEP);
    expect((await pods(sb, 'scale', 's')).map((p: any) => p.metadata.name)).not.toContain(victim);

    await call(sb, 'PATCH', path('scale', 's'), { spec: { replicas: 1 } }, { 'content-type': patchTypes.merge });
    clock.advance(STEP);
    expect(await pods(sb, 'scale', 's')).toHaveLength(1);
    expect((await get(sb, 'scale', 's')).status).toMatchObject({ replicas: 1, availableReplicas: 1 });
  });

  it('deletes ReplicaSets and pods with their Deployment', async () => {
    const { sb, clock } = await setup();
    await call(sb, 'POST', path('gc'), deployment('g', 'gc', 'g:1', 2));
    clock.advance(STEP);
    expect(await pods(sb, 'gc', 'g')).toHaveLength(2);
    await call(sb, 'DELETE', path('gc', 'g'));
    expect(await replicaSets(sb, 'gc', 'g')).toHaveLength(0);
    expect((await pods(sb, 'gc', 'g')).every((p: any) => p.metadata.deletionTimestamp)).toBe(true);
    clock.advance(STEP);
    expect(await pods(sb, 'gc', 'g')).toHaveLength(0);
  });

  it('starts seeded Deployments fully rolled out', async () => {
    const clock = new ManualClock();
    const sb = await sandbox({ clock, deployments: 40 });
    const list = (await call(sb, 'GET', '/apis/apps/v1/deployments')).body.items;
    expect(list).toHaveLength(40);
    expect(new Set(list.map((d: any) => d.metadata.namespace))).toEqual(new Set(['tenant-01', 'tenant-02']));
    for (const d of list) {
      expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
      expect(condition(d, 'Progressing').reason).toBe('NewReplicaSetAvailable');
    }
    expect((await call(sb, 'GET', '/api/v1/pods')).body.items.every((p: any) => p.status.phase === 'Running')).toBe(true);
    expect(clock.scheduled).toBe(0);
  });
});
