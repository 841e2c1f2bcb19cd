import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { startSandbox, type Sandbox } from '../../source/sandbox/index.js';
import { repoRoot } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { kubectl } from '../sandbox/helpers.js';

const seed = path.join(repoRoot, 'k8s-manifests');
const running: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop().catch(() => undefined)));
});

/** Resolves once `check` holds after a 'change' (or at once), failing after `ms`. */
function until(watcher: LiveStateWatcher, check: () => boolean, ms = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => reject(new Error('condition not reached in time')), ms);
    const onChange = () => {
      if (!check()) return;
      clearTimeout(timer);
      watcher.off('change', onChange);
      resolve();
    };
    watcher.on('change', onChange);
  });
}

describe('LiveStateWatcher', () => {
  it('lists once, follows changes through its watch, keeps the last good data while the API is gone, and recovers by itself', async () => {
    const sandbox = await startSandbox({ seed, stepMs: 40 });
    running.push(sandbox);
    const dir = tempDir();
    const kubeconfig = await sandbox.writeKubeconfig(path.join(dir, 'kubeconfig'));
    const client = new KubeClient(loadCluster({ env: {}, kubeconfig })!);
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'], maxBackoffMs: 200 });
    sandbox.clearRequests();
    await watcher.start();
    try {
      expect(watcher.snapshot()).toMatchObject({ reachable: true });
      expect(watcher.snapshot().deployments.size).toBe(6);
      expect(sandbox.requestCount({ verb: 'list', resource: 'deployments' })).toBe(1);

      await kubectl({ kubeconfig, cacheDir: path.join(dir, 'cache') }, ['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v9']);
      const image = () => watcher.snapshot().deployments.get('test-download/chatbot')?.spec?.template?.spec?.containers?.[0]?.image;
      await until(watcher, () => image() === 'localhost:5000/ecp-ai/chatbot:v9');
      // Followed through the watch: still the one list.
      expect(sandbox.requestCount({ verb: 'list', resource: 'deployments' })).toBe(1);

      const port = sandbox.port;
      const stoppedAt = Date.now();
      await sandbox.stop();
      await until(watcher, () => !watcher.snapshot().reachable);
      const down = watcher.snapshot();
      expect(down.deployments.size).toBe(6);
      expect(down.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up|terminated/);
      // The last good data keeps its time: the failed reads after the stop do not move it.
      expect(down.lastGoodAt).toBeGreaterThan(0);
      expect(down.lastGoodAt).toBeLessThanOrEqual(stoppedAt);

      const back = await startSandbox({ port, seed, stepMs: 40 });
      running.push(back);
      await until(watcher, () => watcher.snapshot().reachable);
      // The new server was seeded from the manifests: the watcher shows its truth, not the old data.
      await until(watcher, () => image() === 'localhost:5000/ecp-ai/chatbot:v1.0.0-seed01');
    } finally {
      await watcher.stop();
    }
  });
});
