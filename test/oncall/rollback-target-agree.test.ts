/**
 * The rollback default has one home (pipeline/rollback-target.ts): `ecp rollback` (and so the
 * monitor's auto-rollback) and the console's dialog ask the same function, so on the same cluster
 * state they choose the same target. Here a service is run by a Deployment and a StatefulSet of
 * one image, and ecp recorded nothing: the target is the workloads' previous revision (ReplicaSets
 * and ControllerRevisions, as `kubectl rollout undo` picks each) when they agree, and refused —
 * naming each workload's — when they do not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { describeTargets, startTarget, type ClusterTarget, type TargetKind } from '../helpers/cluster-target.js';
import { runEcp } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { renderConsole } from '../ui/helpers.js';

const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const workloads = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: callbot
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: callbot}
  template:
    metadata:
      labels: {app: callbot}
    spec:
      containers:
        - name: callbot
          image: ${image(tag)}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: callbot-store
  namespace: shop
spec:
  replicas: 1
  serviceName: callbot-store
  selector:
    matchLabels: {app: callbot-store}
  template:
    metadata:
      labels: {app: callbot-store}
    spec:
      containers:
        - name: callbot
          image: ${image(tag)}
`;

/** shop/callbot, run by Deployment callbot and StatefulSet callbot-store at v1; v1..v3 registered, no deployment records. */
async function world(kind: TargetKind) {
  const repo = gitRepo();
  const dataDir = tempDir();
  mkdirSync(path.join(repo, 'k8s-manifests', 'shop'), { recursive: true });
  writeFileSync(path.join(repo, 'k8s-manifests', 'shop', 'callbot.yaml'), workloads('v1'));
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\nrequireApproval: []\n`);
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'shop');
  await registerImages(dataDir, [image('v1'), image('v2'), image('v3')]);
  const target = await startTarget(kind, { seed: path.join(repo, 'k8s-manifests') });
  stops.push(() => target.stop());
  const env = { KUBECONFIG: target.kubeconfig };
  const core = createCore(loadConfig({ cwd: repo, env: { ...process.env, ...env } }));
  const client = new KubeClient(loadCluster({ env, kubeconfig: target.kubeconfig })!);
  const ecp = (args: string[]) => runEcp(args, { cwd: repo, env, timeoutMs: 120_000 });
  return { target, core, client, ecp };
}

/** Someone else's `kubectl set image` on one workload (ecp records nothing), waited for. */
async function setImage(target: ClusterTarget, workload: string, tag: string): Promise<void> {
  expect((await target.kubectl(['-n', 'shop', 'set', 'image', workload, `callbot=${image(tag)}`])).code).toBe(0);
  const status = await target.kubectl(['-n', 'shop', 'rollout', 'status', workload, '--timeout=90s']);
  expect(status.code, status.stderr).toBe(0);
}

/** The target the console's dialog would offer for shop/callbot (or why none), once it has read the live state showing `live`. */
async function consoleTarget(w: Awaited<ReturnType<typeof world>>, live: string): Promise<{ image?: string; none?: string } | undefined> {
  const watcher = new LiveStateWatcher(w.client, { namespaces: () => ['shop'] });
  await watcher.start();
  stops.push(() => watcher.stop());
  const open = await renderConsole(w.core, { live: watcher, client: w.client, size: { columns: 100, rows: 35 } });
  stops.push(() => open.unmount());
  await open.waitFor(() => {
    const { history } = open.handle.store.getState();
    return history.service === 'callbot' && !history.loading && history.rollbackTarget?.liveImage === live;
  }, 20_000);
  return open.handle.store.getState().history.rollbackTarget;
}

describeTargets('one rollback default for the CLI and the console (issue 15, item 1)', (kind) => {
  it('both go to the previous revision where every workload of the service had the same one', async () => {
    const w = await world(kind);
    await setImage(w.target, 'deployment/callbot', 'v2');
    await setImage(w.target, 'statefulset/callbot-store', 'v2');

    const offered = (await consoleTarget(w, image('v2')))?.image;
    const back = await w.ecp(['rollback', 'shop', 'callbot', '--reason', 'undo the hand edit', '--skip-registry-check', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(offered).toBe(image('v1'));
    expect(JSON.parse(back.stdout).record).toMatchObject({ fromImage: image('v2'), toImage: offered, status: 'succeeded' });
  }, 240_000);

  it('both refuse where the workloads ran different previous images, naming each', async () => {
    const w = await world(kind);
    // The Deployment went v1 → v2 → v3, the StatefulSet v1 → v3: their previous revisions differ.
    await setImage(w.target, 'deployment/callbot', 'v2');
    await setImage(w.target, 'deployment/callbot', 'v3');
    await setImage(w.target, 'statefulset/callbot-store', 'v3');

    // The console offers none, for the reason the CLI gives (r says it).
    const offered = await consoleTarget(w, image('v3'));
    expect(offered?.image).toBeUndefined();
    expect(offered?.none).toMatch(/^the previous revisions of its workloads differ \(Deployment callbot's runs .*, so there is no one image to go back to$/);
    const refused = await w.ecp(['rollback', 'shop', 'callbot', '--reason', 'undo', '--skip-registry-check']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `No earlier good version of shop/callbot to roll back to: the previous revisions of its workloads differ (Deployment callbot's runs ${image('v2')} (revision 2), StatefulSet callbot-store's runs ${image('v1')} (revision 1)), so there is no one image to go back to; choose one with --to ID.`,
    );
    const live = await w.client.readWorkload('StatefulSet', 'shop', 'callbot-store');
    expect(live?.spec?.template?.spec?.containers?.[0]?.image).toBe(image('v3'));
  }, 240_000);
});
