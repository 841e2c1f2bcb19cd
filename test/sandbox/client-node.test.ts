/** @kubernetes/client-node 1.4 against the sandbox: typed list, Watch, and an informer that re-lists on 410. */
import { AppsV1Api, KubeConfig, makeInformer, Watch, type V1Deployment } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { call, patchTypes, sandbox } from './helpers.js';

let sb: Awaited<ReturnType<typeof sandbox>>;
let kc: KubeConfig;
let apps: AppsV1Api;
const clock = new ManualClock();

beforeAll(async () => {
  sb = await sandbox({ clock, deployments: 25, eventWindow: 10 });
  kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfig);
  apps = kc.makeApiClient(AppsV1Api);
});

const scale = (ns: string, name: string, replicas: number) => call(sb, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`, { spec: { replicas } }, { 'content-type': patchTypes.merge });

function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - started > ms) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('client-node against the sandbox', () => {
  it('lists deployments in all namespaces, and a missing one throws 404 with the Status body', async () => {
    const list = await apps.listDeploymentForAllNamespaces();
    expect(list.items).toHaveLength(25);
    expect(list.items[0]!.metadata?.namespace).toBe('tenant-01');
    expect(list.items.every((d) => d.status?.availableReplicas === 1)).toBe(true);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(1000);

    const ours = await apps.listNamespacedDeployment({ namespace: 'tenant-02', labelSelector: 'app=callbot' });
    expect(ours.items.map((d) => d.metadata?.name)).toEqual(['callbot']);

    const error = await apps.readNamespacedDeployment({ name: 'ghost', namespace: 'tenant-01' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 404 });
    expect(JSON.parse((error as { body: string }).body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('Watch delivers events from a resourceVersion and reports done(null) when the server ends the stream', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: 'tenant-01' });
    const events: string[] = [];
    let finished: unknown = 'open';
    const controller = await new Watch(kc).watch(
      '/apis/apps/v1/namespaces/tenant-01/deployments',
      { resourceVersion: list.metadata?.resourceVersion, timeoutSeconds: 1 },
      (type, obj: V1Deployment) => events.push(`${type} ${obj.metadata?.name} ${obj.spec?.replicas}`),
      (err) => (finished = err),
    );
    await scale('tenant-01', 'advisor', 2);
    await waitFor(() => events.includes('MODIFIED advisor 2'));
    await waitFor(() => finished !== 'open', 2500);
    expect(finished).toBeNull();
    controller.abort();
  });

  it('Watch from an expired resourceVersion gets an ERROR event with the 410 Status, then the end', async () => {
    for (let i = 0; i < 15; i++) await scale('tenant-01', 'auth', (i % 3) + 1);
    const seen: [string, any][] = [];
    const done = new Promise<any>((resolve) => {
      void new Watch(kc).watch('/apis/apps/v1/deployments', { resourceVersion: '1001' }, (type, obj) => seen.push([type, obj]), resolve);
    });
    expect(await done).toBeNull();
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe('ERROR');
    expect(seen[0]![1]).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
  });

  it('an informer lists, follows updates, and re-lists after its watch expires', async () => {
    const informer = makeInformer(kc, '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces());
    const updates: string[] = [];
    informer.on('update', (d) => updates.push(`${d.metadata?.namespace}/${d.metadata?.name}=${d.spec?.replicas}`));
    const listsBefore = sb.requestCount({ verb: 'list', resource: 'deployments' });
    await informer.start();
    expect(informer.list()).toHaveLength(25);

    await scale('tenant-02', 'chatbot', 3);
    await waitFor(() => updates.includes('tenant-02/chatbot=3'));
    // The controller rolls the new replicas out on the next step; the informer sees status change.
    clock.advance(1000);
    await waitFor(() => informer.get('chatbot', 'tenant-02')?.status?.availableReplicas === 3);
    expect(sb.requestCount({ verb: 'list', resource: 'deployments' })).toBe(listsBefore + 1);

    // Other writes push the informer's resourceVersion out of the window; when its watch drops,
    // the re-watch gets the 410 ERROR event and the informer lists again, then keeps following.
    for (let i = 0; i < 15; i++) await call(sb, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `filler-${i}` } });
    const watchesBefore = sb.requestCount({ verb: 'watch', resource: 'deployments' });
    sb.dropWatches();
    await waitFor(() => sb.requestCount({ verb: 'list', resource: 'deployments' }) === listsBefore + 2);
    await waitFor(() => sb.requestCount({ verb: 'watch', resource: 'deployments' }) > watchesBefore + 1);
    await scale('tenant-01', 'billing', 4);
    await waitFor(() => updates.includes('tenant-01/billing=4'));
    await informer.stop();
  });
});
