/**
 * No lag after headless changes (issue 15 item 8), `npx tsx bench/console-follow.ts`: the console
 * (in-process, over an in-process sandbox) against changes made as another terminal would make
 * them. 1) A deploy: the manifest rewritten and the Deployment's image set; from the API's
 * rollout being complete to the console's state showing it Synced and Healthy. 2) A failing image:
 * from the API's first pod in ImagePullBackOff to the console showing Degraded. The console's
 * state is what its next frame draws. Targets: ≤ 1 s each (before: up to 30 s and ~25 s).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeClient, loadCluster } from '../source/adapters/kube.js';
import { loadConfig } from '../source/config.js';
import { createCore } from '../source/core.js';
import { LiveStateWatcher } from '../source/monitor/live-state.js';
import { startSandbox } from '../source/sandbox/index.js';
import { createConsole } from '../source/ui/index.js';
import { writeTenant } from '../test/ui/fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-follow-'));
const manifestsDir = path.join(dir, 'k8s-manifests');
mkdirSync(manifestsDir, { recursive: true });
const repo = 'localhost:5000/ecp-ai';
writeTenant(manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1', replicas: 2 }], repo);
const core = createCore(loadConfig({ cwd: dir, env: { K8S_MANIFESTS_DIR: manifestsDir, ECP_DATA_DIR: path.join(dir, 'data') } }));
const sandbox = await startSandbox({ seed: manifestsDir, stepMs: 100, failImage: /:bad$/ });
const client = new KubeClient(loadCluster({ env: {}, kubeconfig: await sandbox.writeKubeconfig(path.join(dir, 'kubeconfig')) })!);
const watcher = new LiveStateWatcher(client, { namespaces: () => ['shop'] });
await watcher.start();
const handle = await createConsole(core, { live: watcher, client, size: { columns: 120, rows: 35 }, env: {}, cwd: dir });
handle.start();

const row = () => handle.store.getState().tenants[0]?.rows[0];
async function when(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now();
}

try {
  await when(() => row()?.health === 'Healthy' && row()?.liveTag === 'v1', 'the first read');
  const setImage = async (tag: string) => {
    const live = await client.readDeployment('shop', 'callbot');
    await client.setContainerImage('shop', 'callbot', 'callbot', `${repo}/callbot:${tag}`, live!.metadata!.resourceVersion!);
  };

  // 1) A deploy from another terminal: the manifest names v2, the Deployment gets v2 and rolls out.
  const started = performance.now();
  writeTenant(manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2', replicas: 2 }], repo);
  await setImage('v2');
  const [apiDone, shown] = await Promise.all([
    when(async () => {
      const d = await client.readDeployment('shop', 'callbot');
      return d?.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && d.status.replicas === 2 && d.status.observedGeneration === d.metadata?.generation;
    }, 'the rollout at the API'),
    when(() => row()?.manifestTag === 'v2' && row()?.liveTag === 'v2' && row()?.sync === 'Synced' && row()?.health === 'Healthy', 'the console showing v2 Synced Healthy'),
  ]);
  console.log(`headless deploy → console Synced and Healthy: ${(shown - apiDone).toFixed(0)} ms after the API's rollout was complete (${(shown - started).toFixed(0)} ms after the change began)`);

  // 2) A failing image: pods in ImagePullBackOff.
  await setImage('bad');
  const [apiFailing, degraded] = await Promise.all([
    when(
      async () =>
        (await client.listPods('shop'))?.some((p) => p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'ImagePullBackOff' || c.state?.waiting?.reason === 'ErrImagePull')) === true,
      'a failing pod at the API',
    ),
    when(() => row()?.health === 'Degraded', 'the console showing Degraded'),
  ]);
  console.log(`failing image → console Degraded: ${(degraded - apiFailing).toFixed(0)} ms after the API's first pod failed to pull`);
} finally {
  handle.stop();
  await watcher.stop();
  await sandbox.stop();
}
