import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { describeTargets, limitedKubeconfig, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';

const seed = path.join(repoRoot, 'k8s-manifests');

/** Resolves once `check` holds after a 'change' (or at once), failing after `ms`. */
function until(watcher: LiveStateWatcher, check: () => boolean, what: string, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => reject(new Error(`not reached in time: ${what}`)), ms);
    const onChange = () => {
      if (!check()) return;
      clearTimeout(timer);
      watcher.off('change', onChange);
      resolve();
    };
    watcher.on('change', onChange);
  });
}

let target: ClusterTarget | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

describeTargets('LiveStateWatcher', (kind) => {
  it('lists once, follows changes through its watch, keeps the last good data while the API is gone, and recovers by itself', async () => {
    const t = (target = await startTarget(kind, { seed }));
    const client = new KubeClient(loadCluster({ env: {}, kubeconfig: t.kubeconfig })!);
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'], maxBackoffMs: 200 });
    await t.clearRequests();
    await watcher.start();
    try {
      expect(watcher.snapshot()).toMatchObject({ reachable: true });
      expect(watcher.snapshot().deployments.size).toBe(6);
      expect(await t.requests({ verb: 'list', resource: 'deployments' })).toHaveLength(1);

      await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v9']);
      const image = () => watcher.snapshot().deployments.get('test-download/chatbot')?.spec?.template?.spec?.containers?.[0]?.image;
      await until(watcher, () => image() === 'localhost:5000/ecp-ai/chatbot:v9', 'the image set by kubectl');
      // Followed through the watch: still the one list.
      expect(await t.requests({ verb: 'list', resource: 'deployments' })).toHaveLength(1);

      // Taken once the cut is made: a read may still succeed while it is being made.
      await t.cutOff();
      const stoppedAt = Date.now();
      await until(watcher, () => !watcher.snapshot().reachable, 'unreachable');
      const down = watcher.snapshot();
      expect(down.deployments.size).toBe(6);
      expect(down.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up|terminated|Premature close/);
      // The last good data keeps its time: the failed reads after the cut do not move it.
      expect(down.lastGoodAt).toBeGreaterThan(0);
      expect(down.lastGoodAt).toBeLessThanOrEqual(stoppedAt);

      await t.restore();
      await until(watcher, () => watcher.snapshot().reachable, 'reachable again');
      // Back on the server's truth, and following it again through a watch.
      await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v10']);
      await until(watcher, () => image() === 'localhost:5000/ecp-ai/chatbot:v10', 'the image set after the API came back');
    } finally {
      await watcher.stop();
    }
  });

  it('says nothing on a refresh that finds nothing new, and keeps the same data (the console and the monitor redo no work)', async () => {
    const t = (target = await startTarget(kind, { seed }));
    const client = new KubeClient(loadCluster({ env: {}, kubeconfig: t.kubeconfig })!);
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'] });
    await watcher.start();
    try {
      let changes = 0;
      watcher.on('change', () => (changes += 1));
      const before = watcher.snapshot();
      await watcher.refresh();
      await watcher.refresh();
      expect(changes).toBe(0);
      expect(watcher.snapshot().deployments).toBe(before.deployments);
      expect(watcher.snapshot().lastGoodAt).toBeGreaterThanOrEqual(before.lastGoodAt!);

      // A change found by a refresh is said once: no second 'change' for a pods re-read after it.
      await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v9']);
      const image = () => watcher.snapshot().deployments.get('test-download/chatbot')?.spec?.template?.spec?.containers?.[0]?.image;
      await until(watcher, () => image() === 'localhost:5000/ecp-ai/chatbot:v9', 'the image set by kubectl');
    } finally {
      await watcher.stop();
    }
  });

  it('keeps no managedFields: half of what a live Deployment weighs, read by no view', async () => {
    const t = (target = await startTarget(kind, { seed }));
    expect((await t.kubectl(['-n', 'test-download', 'get', 'deploy/chatbot', '-o', 'jsonpath={.metadata.managedFields[0].manager}', '--show-managed-fields'])).stdout).not.toBe('');
    const client = new KubeClient(loadCluster({ env: {}, kubeconfig: t.kubeconfig })!);
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'] });
    await watcher.start();
    try {
      const chatbot = () => watcher.snapshot().deployments.get('test-download/chatbot');
      expect(chatbot()?.metadata?.name).toBe('chatbot');
      expect(chatbot()?.metadata).not.toHaveProperty('managedFields');
      // … nor for an object that arrives through the watch.
      await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v9']);
      await until(watcher, () => chatbot()?.spec?.template?.spec?.containers?.[0]?.image === 'localhost:5000/ecp-ai/chatbot:v9', 'the image set by kubectl');
      expect(chatbot()?.metadata).not.toHaveProperty('managedFields');
    } finally {
      await watcher.stop();
    }
  });

  it('keeps a listed object as the API sent it, as it does one from the watch (no client-node models: a re-list of 1 000 made 5.6 MB of them)', async () => {
    const t = (target = await startTarget(kind, { seed }));
    const sent = (await t.kubectl(['-n', 'test-download', 'get', 'deploy/chatbot', '-o', 'jsonpath={.metadata.creationTimestamp}'])).stdout;
    const client = new KubeClient(loadCluster({ env: {}, kubeconfig: t.kubeconfig })!);
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'] });
    await watcher.start();
    try {
      const chatbot = watcher.snapshot().deployments.get('test-download/chatbot');
      expect(chatbot?.metadata?.creationTimestamp).toBe(sent);
      expect(Object.getPrototypeOf(chatbot)).toBe(Object.prototype);
    } finally {
      await watcher.stop();
    }
  });
});

describeTargets(
  'live state for a user whose RBAC allows one tenant namespace only',
  (kind) => {
    it('reads that namespace by itself and calls the forbidden one Unknown with the reason, never Missing', async () => {
      const t = (target = await startTarget(kind, { seed }));
      const role = [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: Role',
        'metadata: {name: ecp-reader, namespace: test-download}',
        'rules:',
        '- {apiGroups: [apps], resources: [deployments, replicasets], verbs: [get, list, watch]}',
        '- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}',
        '---',
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: RoleBinding',
        'metadata: {name: ecp-reader, namespace: test-download}',
        'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ecp-reader}',
        'subjects: [{kind: User, name: ecp-limited, apiGroup: rbac.authorization.k8s.io}]',
      ].join('\n');
      expect((await t.kubectl(['apply', '-f', '-'], role)).code).toBe(0);
      const dataDir = tempDir();
      await registerImages(
        dataDir,
        ['callbot', 'chatbot', 'advisor'].map((s) => `localhost:5000/ecp-ai/${s}:v1.0.0-seed01`),
      );
      const result = await runEcp(['--once', '--json', '--data-dir', dataDir], { env: { KUBECONFIG: limitedKubeconfig(t) } });
      expect(result.code).toBe(1);
      const doc = JSON.parse(result.stdout) as { tenants: { id: string; rows: { service: string; sync: string; health: string; message: string }[] }[] };
      const tenant = (id: string) => doc.tenants.find((x) => x.id === id)!.rows;
      expect(tenant('test-download').map((r) => [r.service, r.sync, r.health])).toEqual([
        ['advisor', 'Synced', 'Healthy'],
        ['callbot', 'Synced', 'Healthy'],
        ['chatbot', 'Synced', 'Healthy'],
      ]);
      for (const r of tenant('acme-prod')) {
        expect(r).toMatchObject({ sync: 'Unknown', health: 'Unknown' });
        expect(r.message).toMatch(/^not readable with this user's rights \(RBAC\): .*"ecp-limited" cannot list resource "deployments" .* namespace "acme-prod"/);
      }
    });
  },
  // The sandbox has no users or RBAC: everyone may do everything there.
  'real',
);
