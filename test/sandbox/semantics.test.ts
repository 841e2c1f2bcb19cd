/** The sandbox's Kubernetes API semantics, over HTTP, with the rollout simulator off. */
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, deployment, openWatch, patchTypes, sandbox } from './helpers.js';

type Sb = Awaited<ReturnType<typeof sandbox>>;
let sb: Sb;
const base = '/apis/apps/v1/namespaces/acme/deployments';

beforeAll(async () => {
  sb = await sandbox({ rollouts: false, eventWindow: 20, bookmarkIntervalMs: 100, namespaces: ['acme', 'sel1', 'sel2'] });
});

async function create(name: string, image = `localhost:5000/ecp-ai/${name}:v1`, replicas = 1) {
  const reply = await call(sb, 'POST', base, deployment(name, 'acme', image, replicas));
  expect(reply.status).toBe(201);
  return reply.body;
}

describe('create, get and errors', () => {
  it('creates with 201, server-set metadata and defaults', async () => {
    const d = await create('web');
    expect(d.kind).toBe('Deployment');
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.generation).toBe(1);
    expect(Number(d.metadata.resourceVersion)).toBeGreaterThan(1000);
    expect(d.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(d.metadata.managedFields[0]).toMatchObject({ manager: 'node', operation: 'Update', apiVersion: 'apps/v1' });

    const ns = await call(sb, 'GET', '/api/v1/namespaces/acme');
    expect(ns.status).toBe(200);
    expect(ns.body).toMatchObject({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'acme' }, status: { phase: 'Active' } });
    expect((await call(sb, 'GET', '/api/v1/namespaces/nowhere')).status).toBe(404);
  });

  it('answers a missing object with the exact NotFound Status kubectl prints', async () => {
    const reply = await call(sb, 'GET', `${base}/ghost`);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ghost" not found',
      reason: 'NotFound',
      details: { name: 'ghost', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('refuses a second create with 409 AlreadyExists', async () => {
    await create('twice');
    const reply = await call(sb, 'POST', base, deployment('twice', 'acme', 'x:1'));
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({ reason: 'AlreadyExists', message: 'deployments.apps "twice" already exists', code: 409 });
  });

  it('answers invalid objects with 422 Invalid and field causes', async () => {
    const bad = deployment('noimage', 'acme', '');
    const reply = await call(sb, 'POST', base, bad);
    expect(reply.status).toBe(422);
    expect(reply.body.message).toBe('Deployment.apps "noimage" is invalid: spec.template.spec.containers[0].image: Required value');
    expect(reply.body.details).toEqual({
      name: 'noimage',
      group: 'apps',
      kind: 'Deployment',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' }],
    });
  });
});

describe('generation and resourceVersion', () => {
  it('bumps generation on spec changes only, resourceVersion on every change, and neither on a no-op', async () => {
    const d = await create('gen');
    const labelled = await call(sb, 'PATCH', `${base}/gen`, { metadata: { labels: { tier: 'front' } } }, { 'content-type': patchTypes.merge });
    expect(labelled.body.metadata.generation).toBe(1);
    expect(Number(labelled.body.metadata.resourceVersion)).toBeGreaterThan(Number(d.metadata.resourceVersion));

    const scaled = await call(sb, 'PATCH', `${base}/gen`, { spec: { replicas: 3 } }, { 'content-type': patchTypes.merge });
    expect(scaled.body.metadata.generation).toBe(2);
    const again = await call(sb, 'PATCH', `${base}/gen`, { spec: { replicas: 3 } }, { 'content-type': patchTypes.merge });
    expect(again.body.metadata.resourceVersion).toBe(scaled.body.metadata.resourceVersion);
    expect(again.body.metadata.generation).toBe(2);
  });

  it('refuses a replace or a patch carrying a stale resourceVersion with 409 Conflict', async () => {
    const d = await create('stale');
    const fresh = await call(sb, 'PUT', `${base}/stale`, { ...d, spec: { ...d.spec, replicas: 2 } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.spec.replicas).toBe(2);

    const stale = await call(sb, 'PUT', `${base}/stale`, { ...d, spec: { ...d.spec, replicas: 5 } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "stale": the object has been modified; please apply your changes to the latest version and try again',
    });
    const patched = await call(sb, 'PATCH', `${base}/stale`, { metadata: { resourceVersion: d.metadata.resourceVersion }, spec: { replicas: 7 } }, { 'content-type': patchTypes.merge });
    expect(patched.status).toBe(409);
    expect((await call(sb, 'GET', `${base}/stale`)).body.spec.replicas).toBe(2);
  });

  it('keeps status and spec apart: the object ignores status, the status subresource ignores spec', async () => {
    const d = await create('split');
    const viaMain = await call(sb, 'PUT', `${base}/split`, { ...d, status: { replicas: 9 } });
    expect(viaMain.body.status).toBeUndefined();

    const viaStatus = await call(sb, 'PUT', `${base}/split/status`, { ...d, spec: { ...d.spec, replicas: 4 }, status: { replicas: 9, observedGeneration: 1 } });
    expect(viaStatus.status).toBe(200);
    expect(viaStatus.body.status).toEqual({ replicas: 9, observedGeneration: 1 });
    expect(viaStatus.body.spec.replicas).toBe(1);
    expect(viaStatus.body.metadata.generation).toBe(1);

    const got = await call(sb, 'GET', `${base}/split/status`);
    expect(got.body.status.replicas).toBe(9);
    const patched = await call(sb, 'PATCH', `${base}/split/status`, { status: { readyReplicas: 1 } }, { 'content-type': patchTypes.merge });
    expect(patched.body.status).toEqual({ replicas: 9, observedGeneration: 1, readyReplicas: 1 });
  });
});

describe('patches', () => {
  it('merge patch: null deletes a key, objects merge, lists are replaced', async () => {
    await create('merge');
    await call(sb, 'PATCH', `${base}/merge`, { metadata: { labels: { a: '1', b: '2' } } }, { 'content-type': patchTypes.merge });
    const reply = await call(sb, 'PATCH', `${base}/merge`, { metadata: { labels: { a: null } } }, { 'content-type': patchTypes.merge });
    expect(reply.body.metadata.labels).toEqual({ app: 'merge', b: '2' });
  });

  it('strategic merge: containers and env by name, $setElementOrder, null and $patch: delete', async () => {
    const d = deployment('smp', 'acme', 'app:1');
    (d.spec as any).template.spec.containers.push({
      name: 'sidecar',
      image: 'proxy:1',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    });
    expect((await call(sb, 'POST', base, d)).status).toBe(201);

    const setImage = await call(
      sb,
      'PATCH',
      `${base}/smp?fieldManager=kubectl-set`,
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'smp' }, { name: 'sidecar' }], containers: [{ image: 'app:2', name: 'smp' }] } } } },
      { 'content-type': patchTypes.strategic },
    );
    expect(setImage.status).toBe(200);
    const containers = setImage.body.spec.template.spec.containers;
    expect(containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['smp=app:2', 'sidecar=proxy:1']);
    expect(setImage.body.metadata.generation).toBe(2);

    const env = await call(
      sb,
      'PATCH',
      `${base}/smp`,
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'sidecar',
                  env: [
                    { name: 'B', value: '3' },
                    { name: 'C', value: '4' },
                  ],
                },
              ],
            },
          },
        },
      },
      { 'content-type': patchTypes.strategic },
    );
    expect(env.body.spec.template.spec.containers[1].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);

    const removed = await call(
      sb,
      'PATCH',
      `${base}/smp`,
      {
        metadata: { labels: { app: null } },
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'smp', env: null },
                { $patch: 'delete', name: 'sidecar' },
              ],
            },
          },
        },
      },
      { 'content-type': patchTypes.strategic },
    );
    expect(removed.body.metadata.labels).toBeUndefined();
    expect(removed.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['smp']);
  });

  it('JSON patch: every operation, and 422 with the path for one that does not apply', async () => {
    await create('jp');
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 2 },
      { op: 'add', path: '/metadata/labels/tier', value: 'back' },
      { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'extra', image: 'x:1' } },
    ];
    const reply = await call(sb, 'PATCH', `${base}/jp`, ops, { 'content-type': patchTypes.json });
    expect(reply.status).toBe(200);
    expect(reply.body.spec.replicas).toBe(2);
    expect(reply.body.metadata.labels).toEqual({ app: 'jp', moved: 'back' });
    expect(reply.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['jp', 'extra']);

    const bad = await call(sb, 'PATCH', `${base}/jp`, [{ op: 'remove', path: '/spec/nosuch' }], { 'content-type': patchTypes.json });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    const failedTest = await call(sb, 'PATCH', `${base}/jp`, [{ op: 'test', path: '/spec/replicas', value: 9 }], { 'content-type': patchTypes.json });
    expect(failedTest.status).toBe(422);
    expect((await call(sb, 'GET', `${base}/jp`)).body.spec.replicas).toBe(2);
  });

  it('refuses an unknown patch type with 415', async () => {
    await create('mt');
    expect((await call(sb, 'PATCH', `${base}/mt`, {}, { 'content-type': 'text/plain' })).status).toBe(415);
  });
});

describe('server-side apply', () => {
  const config = (image: string, extra: Record<string, string> = {}) => {
    const d = deployment('ssa', 'acme', image);
    (d.metadata as any).labels = { app: 'ssa', ...extra };
    return d;
  };
  const apply = (body: unknown, query = 'fieldManager=ecp') => call(sb, 'PATCH', `${base}/ssa?${query}`, body, { 'content-type': patchTypes.apply });

  it('creates (201), updates (200), conflicts with another manager (409) unless forced, and drops fields it stops sending', async () => {
    const created = await apply(config('app:1', { tier: 'front' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'ecp', operation: 'Apply', fieldsType: 'FieldsV1' })]);
    expect(created.body.metadata.managedFields[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']).toHaveProperty(['k:{"name":"ssa"}', 'f:image']);

    const same = await apply(config('app:1', { tier: 'front' }));
    expect(same.status).toBe(200);
    expect(same.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);

    const setImage = await call(
      sb,
      'PATCH',
      `${base}/ssa?fieldManager=kubectl-set`,
      { spec: { template: { spec: { containers: [{ name: 'ssa', image: 'app:2' }] } } } },
      { 'content-type': patchTypes.strategic },
    );
    expect(setImage.status).toBe(200);

    const conflict = await apply(config('app:1', { tier: 'front' }));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="ssa"].image',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-set" using apps/v1', field: '.spec.template.spec.containers[name="ssa"].image' }] },
    });

    const sharedValue = await apply(config('app:2', { tier: 'front' }));
    expect(sharedValue.status).toBe(200);

    const forced = await apply(config('app:3'), 'fieldManager=ecp&force=true');
    expect(forced.status).toBe(200);
    expect(forced.body.spec.template.spec.containers[0].image).toBe('app:3');
    expect(forced.body.metadata.labels).toEqual({ app: 'ssa' });
    expect(forced.body.metadata.managedFields.map((m: any) => m.manager)).not.toContain('kubectl-set');
  });

  it('takes a YAML body and needs a fieldManager', async () => {
    const yaml =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa-yaml\n  namespace: acme\nspec:\n  selector: {matchLabels: {app: y}}\n  template:\n    metadata: {labels: {app: y}}\n    spec: {containers: [{name: y, image: "y:1"}]}\n';
    const reply = await call(sb, 'PATCH', `${base}/ssa-yaml?fieldManager=ecp`, yaml, { 'content-type': patchTypes.apply });
    expect(reply.status).toBe(201);
    expect(reply.body.spec.replicas).toBe(1);
    const noManager = await call(sb, 'PATCH', `${base}/ssa-yaml`, yaml, { 'content-type': patchTypes.apply });
    expect(noManager.status).toBe(400);
  });
});

describe('dryRun=All', () => {
  it('returns the result of every write without storing it', async () => {
    const dry = await call(sb, 'POST', `${base}?dryRun=All`, deployment('dry', 'acme', 'd:1'));
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await call(sb, 'GET', `${base}/dry`)).status).toBe(404);

    const d = await create('dry');
    const patched = await call(sb, 'PATCH', `${base}/dry?dryRun=All`, { spec: { replicas: 4 } }, { 'content-type': patchTypes.merge });
    expect(patched.body.spec.replicas).toBe(4);
    const applied = await call(sb, 'PATCH', `${base}/dry?dryRun=All&fieldManager=ecp&force=true`, deployment('dry', 'acme', 'd:2'), { 'content-type': patchTypes.apply });
    expect(applied.body.spec.template.spec.containers[0].image).toBe('d:2');
    const deleted = await call(sb, 'DELETE', `${base}/dry?dryRun=All`);
    expect(deleted.body.status).toBe('Success');

    const stored = await call(sb, 'GET', `${base}/dry`);
    expect(stored.body.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
    expect(stored.body.spec.replicas).toBe(1);
  });
});

describe('delete', () => {
  it('answers a Status Success, then 404', async () => {
    const d = await create('gone');
    const reply = await call(sb, 'DELETE', `${base}/gone`, { propagationPolicy: 'Background' });
    expect(reply.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', group: 'apps', kind: 'deployments', uid: d.metadata.uid } });
    expect((await call(sb, 'DELETE', `${base}/gone`)).status).toBe(404);
  });
});

describe('list and selectors', () => {
  beforeAll(async () => {
    for (const [name, ns, tier] of [
      ['sel-a', 'sel1', 'front'],
      ['sel-b', 'sel1', 'back'],
      ['sel-c', 'sel2', 'front'],
      ['sel-d', 'sel2', ''],
    ] as const) {
      const d = deployment(name, ns, 'i:1');
      if (tier) (d.metadata as any).labels.tier = tier;
      expect((await call(sb, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, d)).status).toBe(201);
    }
  });
  const names = async (query: string, ns?: string) => {
    const reply = await call(sb, 'GET', `${ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments'}?${query}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ kind: 'DeploymentList', apiVersion: 'apps/v1' });
    return reply.body.items.map((i: any) => i.metadata.name).filter((n: string) => n.startsWith('sel-'));
  };

  it('lists per namespace and across namespaces, sorted, with items bare of kind as a real server sends them', async () => {
    expect(await names('', 'sel1')).toEqual(['sel-a', 'sel-b']);
    const item = (await call(sb, 'GET', '/apis/apps/v1/namespaces/sel1/deployments')).body.items[0];
    expect(item.kind).toBeUndefined();
    expect(item.apiVersion).toBeUndefined();
    expect(item.metadata.name).toBe('sel-a');
    expect(await names('')).toEqual(['sel-a', 'sel-b', 'sel-c', 'sel-d']);
  });

  it('filters by label selector: =, !=, in, notin, exists, !exists', async () => {
    expect(await names('labelSelector=tier%3Dfront')).toEqual(['sel-a', 'sel-c']);
    expect(await names('labelSelector=tier!%3Dfront')).toEqual(['sel-b', 'sel-d']);
    expect(await names(`labelSelector=${encodeURIComponent('tier in (back,front)')}`)).toEqual(['sel-a', 'sel-b', 'sel-c']);
    expect(await names(`labelSelector=${encodeURIComponent('tier notin (front)')}`)).toEqual(['sel-b', 'sel-d']);
    expect(await names('labelSelector=tier')).toEqual(['sel-a', 'sel-b', 'sel-c']);
    expect(await names('labelSelector=!tier')).toEqual(['sel-d']);
    expect(await names(`labelSelector=${encodeURIComponent('tier=front,app=sel-c')}`)).toEqual(['sel-c']);
  });

  it('filters by field selector metadata.name / metadata.namespace, and refuses other fields', async () => {
    expect(await names('fieldSelector=metadata.name%3Dsel-b')).toEqual(['sel-b']);
    expect(await names('fieldSelector=metadata.namespace%3Dsel2')).toEqual(['sel-c', 'sel-d']);
    expect(await names('fieldSelector=metadata.namespace!%3Dsel2,metadata.name!%3Dsel-a')).toEqual(['sel-b']);
    const bad = await call(sb, 'GET', '/apis/apps/v1/deployments?fieldSelector=spec.replicas%3D1');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.replicas');
  });

  it('answers a list of many items as one JSON text, its Content-Length counted in bytes', async () => {
    expect((await call(sb, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'many' } })).status).toBe(201);
    for (let i = 0; i < 40; i += 1) {
      const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}` }, data: { text: `é 日本 ${i}` } };
      expect((await call(sb, 'POST', '/api/v1/namespaces/many/configmaps', configMap)).status).toBe(201);
    }
    const raw = await new Promise<{ length: string | undefined; text: string }>((resolve, reject) => {
      http
        .get(`${sb.url}/api/v1/namespaces/many/configmaps`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ length: res.headers['content-length'], text: Buffer.concat(chunks).toString('utf8') }));
        })
        .on('error', reject);
    });
    expect(Number(raw.length)).toBe(Buffer.byteLength(raw.text));
    const list = JSON.parse(raw.text);
    expect(list.items).toHaveLength(41); // and kube-root-ca.crt
    const items = [];
    for (const item of list.items) {
      const { kind: _kind, apiVersion: _apiVersion, ...bare } = (await call(sb, 'GET', `/api/v1/namespaces/many/configmaps/${item.metadata.name}`)).body;
      items.push(bare);
    }
    expect(raw.text).toBe(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: list.metadata, items }));
  });

  it('pages with limit and continue', async () => {
    const first = await call(sb, 'GET', '/apis/apps/v1/namespaces/sel2/deployments?limit=1');
    expect(first.body.items.map((i: any) => i.metadata.name)).toEqual(['sel-c']);
    expect(first.body.metadata.remainingItemCount).toBe(1);
    const second = await call(sb, 'GET', `/apis/apps/v1/namespaces/sel2/deployments?limit=1&continue=${first.body.metadata.continue}`);
    expect(second.body.items.map((i: any) => i.metadata.name)).toEqual(['sel-d']);
    expect(second.body.metadata.continue).toBeUndefined();
  });
});

describe('watch', () => {
  it('replays from a resourceVersion, sends live events, and leaves a selection with DELETED', async () => {
    await create('w1');
    const list = await call(sb, 'GET', `${base}?fieldSelector=metadata.name%3Dw1`);
    const rv = list.body.metadata.resourceVersion;
    await call(sb, 'PATCH', `${base}/w1`, { spec: { replicas: 2 } }, { 'content-type': patchTypes.merge });

    const watch = await openWatch(sb, `${base}?watch=1&resourceVersion=${rv}&labelSelector=app%3Dw1`);
    expect(watch.status).toBe(200);
    const replayed = await watch.next();
    expect(replayed.type).toBe('MODIFIED');
    expect(replayed.object).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: 2 } });

    await call(sb, 'PATCH', `${base}/w1`, { spec: { replicas: 3 } }, { 'content-type': patchTypes.merge });
    const live = await watch.next();
    expect(live.object.spec.replicas).toBe(3);
    expect(Number(live.object.metadata.resourceVersion)).toBeGreaterThan(Number(replayed.object.metadata.resourceVersion));

    await call(sb, 'PATCH', `${base}/w1`, { metadata: { labels: { app: 'other' } } }, { 'content-type': patchTypes.merge });
    expect((await watch.next()).type).toBe('DELETED');
    watch.close();
  });

  it('starts with ADDED for existing objects when no resourceVersion is given', async () => {
    await create('w2');
    const watch = await openWatch(sb, `${base}?watch=true&fieldSelector=metadata.name%3Dw2`);
    const first = await watch.next();
    expect(first.type).toBe('ADDED');
    expect(first.object.metadata.name).toBe('w2');
    await call(sb, 'DELETE', `${base}/w2`);
    const gone = await watch.next();
    expect(gone.type).toBe('DELETED');
    expect(Number(gone.object.metadata.resourceVersion)).toBeGreaterThan(Number(first.object.metadata.resourceVersion));
    watch.close();
  });

  it('answers a resourceVersion older than the kept window with 200 and an ERROR event: 410 Expired', async () => {
    for (let i = 0; i < 30; i++) await call(sb, 'PATCH', `${base}/w1`, { metadata: { annotations: { n: String(i) } } }, { 'content-type': patchTypes.merge });
    const watch = await openWatch(sb, `${base}?watch=1&resourceVersion=1001`);
    expect(watch.status).toBe(200);
    const event = await watch.next();
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(event.object.message).toMatch(/^too old resource version: 1001 \(\d+\)$/);
    await watch.ended;
  });

  it('sendInitialEvents=true streams the current objects, then the initial-events-end bookmark', async () => {
    const watch = await openWatch(sb, `${base}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dw1`);
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w1' } } });
    expect(await watch.next()).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Deployment', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    watch.close();
  });

  it('sends BOOKMARK events when allowed, and ends after timeoutSeconds', async () => {
    const list = await call(sb, 'GET', base);
    const watch = await openWatch(sb, `${base}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${list.body.metadata.resourceVersion}`);
    // The same watch without timeoutSeconds: still open when the first one has ended.
    const unbounded = await openWatch(sb, `${base}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`);
    let unboundedEnded = false;
    void unbounded.ended.then(() => (unboundedEnded = true));
    const bookmark = await watch.next();
    expect(bookmark).toEqual({ type: 'BOOKMARK', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: list.body.metadata.resourceVersion } } });
    await watch.ended;
    expect(unboundedEnded).toBe(false);
    unbounded.close();
  });
});

describe('tables', () => {
  const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

  it('answers as=Table with the deployment printer columns and PartialObjectMetadata rows', async () => {
    await create('tbl', 'localhost:5000/ecp-ai/tbl:v7', 2);
    const reply = await call(sb, 'GET', `${base}?fieldSelector=metadata.name%3Dtbl`, undefined, { accept: table });
    expect(reply.body.kind).toBe('Table');
    expect(reply.body.apiVersion).toBe('meta.k8s.io/v1');
    expect(reply.body.columnDefinitions.map((c: any) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Ready:0', 'Up-to-date:0', 'Available:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1']);
    const row = reply.body.rows[0];
    expect(row.cells).toEqual(['tbl', '0/2', 0, 0, expect.stringMatching(/^\d+s$/), 'tbl', 'localhost:5000/ecp-ai/tbl:v7', 'app=tbl']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'tbl', namespace: 'acme' } });
    expect(row.object.metadata.managedFields).toBeUndefined();

    const one = await call(sb, 'GET', `${base}/tbl`, undefined, { accept: table });
    expect(one.body.rows).toHaveLength(1);
    const namespaces = await call(sb, 'GET', '/api/v1/namespaces', undefined, { accept: table });
    expect(namespaces.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Status', 'Age']);
  });
});

describe('discovery', () => {
  const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

  it('serves /version with minor 32', async () => {
    expect((await call(sb, 'GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
  });

  it('serves aggregated discovery with the exact Content-Type when asked, legacy otherwise', async () => {
    const apis = await call(sb, 'GET', '/apis', undefined, { accept: aggregated });
    expect(apis.contentType).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const deployments = apis.body.items[0].versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deployments).toMatchObject({ scope: 'Namespaced', shortNames: ['deploy'], responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    const core = await call(sb, 'GET', '/api', undefined, { accept: aggregated });
    expect(core.body.items[0].versions[0].resources.map((r: any) => r.resource)).toEqual(['namespaces', 'pods', 'services', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'events']);

    const legacy = await call(sb, 'GET', '/apis', undefined, { accept: 'application/json' });
    expect(legacy.contentType).toBe('application/json');
    expect(legacy.body).toMatchObject({
      kind: 'APIGroupList',
      groups: [
        { name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } },
        { name: 'discovery.k8s.io', preferredVersion: { groupVersion: 'discovery.k8s.io/v1' } },
        // Leases, for the team store's one change at a time per tenant/service (issue 16).
        { name: 'coordination.k8s.io', preferredVersion: { groupVersion: 'coordination.k8s.io/v1' } },
      ],
    });
    const list = await call(sb, 'GET', '/apis/apps/v1');
    expect(list.body.resources.find((r: any) => r.name === 'deployments')).toMatchObject({ namespaced: true, kind: 'Deployment', shortNames: ['deploy'] });
    expect((await call(sb, 'GET', '/api/v1')).body.resources.map((r: any) => r.name)).toContain('pods/status');
  });

  it('serves the minimal OpenAPI v3 kubectl needs to validate on the server, and an empty v2', async () => {
    const index = await call(sb, 'GET', '/openapi/v3');
    const url = index.body.paths['apis/apps/v1'].serverRelativeURL as string;
    const doc = await call(sb, 'GET', url);
    expect(doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(await call(sb, 'GET', '/openapi/v2')).toMatchObject({ status: 200, body: '' });
  });
});

describe('sandbox controls', () => {
  it('changes the failure pattern through POST /sandbox/fail-image', async () => {
    expect((await call(sb, 'POST', '/sandbox/fail-image', { pattern: 'broken' })).body).toEqual({ pattern: 'broken' });
    expect(sb.failImage()?.source).toBe('broken');
    expect((await call(sb, 'POST', '/sandbox/fail-image', { pattern: '(' })).status).toBe(400);
    expect((await call(sb, 'POST', '/sandbox/fail-image', { pattern: null })).body).toEqual({ pattern: null });
    expect(sb.failImage()).toBeUndefined();
  });

  it('logs requests for tests to count', async () => {
    sb.clearRequests();
    await call(sb, 'GET', '/apis/apps/v1/deployments');
    await call(sb, 'GET', base);
    await call(sb, 'GET', `${base}/ghost`);
    expect(sb.requestCount({ verb: 'list', resource: 'deployments' })).toBe(2);
    expect(sb.requestCount({ verb: 'get', name: 'ghost', code: 404 })).toBe(1);
    expect(sb.requestCount((r) => r.path === '/apis/apps/v1/deployments')).toBe(1);
  });

  it('keeps the last requestLog requests, none with 0', async () => {
    const short = await sandbox({ rollouts: false, requestLog: 2 });
    const none = await sandbox({ rollouts: false, requestLog: 0 });
    for (const s of [short, none]) for (const name of ['a', 'b', 'c']) await call(s, 'GET', `/api/v1/namespaces/default/configmaps/${name}`);
    expect(short.requests().map((r) => r.name)).toEqual(['b', 'c']);
    expect(none.requests()).toEqual([]);
  });
});
