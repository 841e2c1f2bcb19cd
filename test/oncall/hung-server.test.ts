/**
 * Issue 15, item 2: a hung API server (accepts connections, answers nothing — a SIGSTOPped
 * process) must not look fresh. Every request has a timeout; a watch silent past its window is
 * dropped and the state listed again; live state then turns unreachable, and the services
 * Unknown with the age of the last good data. `ecp --once` exits 2 naming the server and the
 * timeout.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { collectStatus, readTenants } from '../../source/monitor/status-view.js';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { repoRoot, runEcp, runEcpInProcess } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const seed = path.join(repoRoot, 'k8s-manifests');
// The request timeout, set short (ECP_KUBE_TIMEOUT) instead of waiting out the default 10 s.
const TIMEOUT = { ECP_KUBE_TIMEOUT: '3s' };

let target: ClusterTarget | undefined;
afterEach(async () => {
  await target?.resume();
  await target?.stop();
  target = undefined;
});

describeTargets('a hung API server', (kind) => {
  it('ecp --once exits 2 naming the server and the timeout', async () => {
    const t = (target = await startTarget(kind, { seed, hangable: true }));
    await t.hang();
    // A deadline, not a measure (the 15 s is measured in bench/hung-server.ts): without
    // the request timeout ecp waits for ever.
    const result = await runEcp(['--once', '--data-dir', tempDir()], { env: { KUBECONFIG: t.kubeconfig, ...TIMEOUT }, timeoutMs: 40_000 });
    expect(result.stderr).toContain(`ecp: The Kubernetes API at context ${t.context} (${t.url}) did not answer within 3 s (listing deployments).`);
    expect(result.code).toBe(2);
  });

  it('the watcher turns unreachable, services Unknown with the age of the last good data, and recovers', async () => {
    const t = (target = await startTarget(kind, { seed, hangable: true }));
    const client = new KubeClient(loadCluster({ env: TIMEOUT, kubeconfig: t.kubeconfig })!);
    // A short watch window: the server ends each watch after 1 s, so 6 s of silence is a hang.
    const watcher = new LiveStateWatcher(client, { namespaces: () => ['test-download', 'acme-prod'], maxBackoffMs: 500, watchTimeoutSeconds: 1 });
    await watcher.start();
    try {
      expect(watcher.snapshot().reachable).toBe(true);
      await t.hang();
      const hungAt = Date.now();
      // Nothing refreshes it from outside (no console tick): the watch's own window finds the hang.
      await waitUntil(() => !watcher.snapshot().reachable, 'the watcher says the API is unreachable', 30_000);
      const down = watcher.snapshot();
      expect(down.error).toMatch(/did not answer within 3 s/);
      expect(down.lastGoodAt).toBeLessThanOrEqual(hungAt);
      expect(down.deployments.size).toBe(6);

      const core = createCore(loadConfig({ cwd: repoRoot, env: {}, dataDir: tempDir() }));
      const tenants = await readTenants(core);
      const rows = (await collectStatus(core, tenants, down, Date.now())).flatMap((s) => s.rows);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row).toMatchObject({ sync: 'Unknown', health: 'Unknown' });
        expect(row.message).toMatch(/^cluster unreachable \(The Kubernetes API .* did not answer within 3 s .*\); last good read \d+s ago$/);
      }

      await t.resume();
      await waitUntil(() => watcher.snapshot().reachable, 'the watcher reads the API again', 30_000);
      await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:v11']);
      const image = () => watcher.snapshot().deployments.get('test-download/chatbot')?.spec?.template?.spec?.containers?.[0]?.image;
      await waitUntil(() => image() === 'localhost:5000/ecp-ai/chatbot:v11', 'a change after the hang is followed through the watch');
    } finally {
      await watcher.stop();
    }
  });
});

describe('the request timeout (ECP_KUBE_TIMEOUT)', () => {
  const kubeconfig = path.join(tempDir(), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );

  it('is 10 s unless set, and the duration given when set', () => {
    expect(loadCluster({ env: {}, kubeconfig })!.requestTimeoutMs).toBe(10_000);
    expect(loadCluster({ env: { ECP_KUBE_TIMEOUT: '1500ms' }, kubeconfig })!.requestTimeoutMs).toBe(1_500);
  });

  it('refuses a value that is not a duration from 1 s to 10 m, in one sentence with exit 2', async () => {
    for (const value of ['forever', '0s', '1h']) {
      const result = await runEcpInProcess(['--once', '--data-dir', tempDir()], { env: { KUBECONFIG: kubeconfig, ECP_KUBE_TIMEOUT: value } });
      expect(result.stderr).toBe(`ecp: ECP_KUBE_TIMEOUT "${value}" must be between 1s and 10m.\n`);
      expect(result.code).toBe(2);
    }
  });
});
