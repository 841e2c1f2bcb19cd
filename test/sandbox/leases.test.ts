/**
 * What the team store (issue 16) needs of the API server, on the sandbox and the real control
 * plane alike: Leases kept whole (renewTime, a MicroTime, included), create-if-absent, label-
 * selected lists of ConfigMaps, and watches on ConfigMaps.
 */
import { CoordinationV1Api, CoreV1Api, V1MicroTime, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCluster } from '../../source/adapters/kube.js';
import { type ClusterTarget, describeTargets, startTarget } from '../helpers/cluster-target.js';
import { storeNamespace } from '../helpers/team-store.js';
import { waitUntil } from '../helpers/wait.js';

describeTargets('what the team store needs of the API server', (kind) => {
  let target: ClusterTarget;
  let namespace: string;
  beforeAll(async () => {
    target = await startTarget(kind);
    namespace = await storeNamespace(target);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  }, 180_000);
  const cluster = () => loadCluster({ env: {}, kubeconfig: target.kubeconfig })!;

  it('keeps a Lease whole, renewTime included, refuses a second create of one name, and lists it with kubectl', async () => {
    const api = cluster().kc.makeApiClient(CoordinationV1Api);
    const renewTime = new V1MicroTime('2026-12-01T10:42:03.123Z');
    await api.createNamespacedLease({ namespace, body: { metadata: { name: 'acme-callbot' }, spec: { holderIdentity: 'ops@example.com', leaseDurationSeconds: 15, renewTime } } });
    const read = await api.readNamespacedLease({ namespace, name: 'acme-callbot' });
    expect(new Date(String(read.spec?.renewTime)).toISOString()).toBe('2026-12-01T10:42:03.123Z');
    const again = await api.createNamespacedLease({ namespace, body: { metadata: { name: 'acme-callbot' }, spec: { holderIdentity: 'other' } } }).catch((e: { code?: number }) => e.code);
    expect(again).toBe(409);
    const listed = await target.kubectl(['-n', namespace, 'get', 'leases']);
    expect(listed.stdout).toMatch(/acme-callbot\s+ops@example\.com/);
  });

  it('lists ConfigMaps by a set-based label selector and watches them', async () => {
    const core = cluster().kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const watch = await new Watch(cluster().kc).watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      { labelSelector: 'ecp.dev/kind in (head,version)' },
      (phase, obj: { metadata: { name: string } }) => seen.push(`${phase} ${obj.metadata.name}`),
      () => undefined,
    );
    for (const [name, kindLabel] of [
      ['a', 'version'],
      ['b', 'audit-event'],
      ['c', 'head'],
    ]) {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: name!, labels: { 'ecp.dev/kind': kindLabel! } }, data: { x: '1' } } });
    }
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector: 'ecp.dev/kind in (head,version)' });
    expect(list.items.map((c) => c.metadata?.name).sort()).toEqual(['a', 'c']);
    await waitUntil(() => seen.includes('ADDED c'), 'the watch saw the head created');
    expect(seen).toEqual(['ADDED a', 'ADDED c']);
    watch.abort();
  });
});
