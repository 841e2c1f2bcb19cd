/**
 * Only the pods of a workload's current revision say whether the new version fails. An old
 * ReplicaSet's failing pod that lingers while the new one starts (the controller keeps it until
 * the new pods are available: minReadySeconds here) must not make a healthy rollout Degraded —
 * not in `ecp --once`, not in the deploy's own rollout wait (which would fail the deploy and
 * invite an auto-rollback) — while the diagnosis still shows it, labelled as old.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { diagnosisLines } from '../../source/domain/diagnosis.js';
import type { LivePod } from '../../source/domain/kube-types.js';
import { diagnoseWorkload } from '../../source/pipeline/diagnosis.js';
import { Store } from '../../source/store/store.js';
import { describeTargets, startTarget } from '../helpers/cluster-target.js';
import { runEcp } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { waitUntil } from '../helpers/wait.js';

const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: callbot
  namespace: shop
spec:
  replicas: 2
  minReadySeconds: 8
  selector:
    matchLabels: {app: callbot}
  template:
    metadata:
      labels: {app: callbot}
    spec:
      containers:
        - name: callbot
          image: ${image('v1')}
`;

const pullFailing = (p: LivePod) => (p.status?.containerStatuses ?? []).some((c) => /^(ErrImagePull|ImagePullBackOff)$/.test(c.state?.waiting?.reason ?? ''));
const runs = (p: LivePod, tag: string) => p.spec?.containers?.[0]?.image === image(tag);

describeTargets("an old revision's failing pod during a rollout", (kind) => {
  it('leaves a good new rollout Progressing, then Healthy; the diagnosis shows the old pod labelled old', async () => {
    const repo = gitRepo();
    const dataDir = tempDir();
    mkdirSync(path.join(repo, 'k8s-manifests', 'shop'), { recursive: true });
    writeFileSync(path.join(repo, 'k8s-manifests', 'shop', 'callbot.yaml'), manifest);
    writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\nrequireApproval: []\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'shop');
    await registerImages(dataDir, [image('v1')]);
    const target = await startTarget(kind, { seed: path.join(repo, 'k8s-manifests') });
    stops.push(() => target.stop());
    const env = { KUBECONFIG: target.kubeconfig };
    const client = new KubeClient(loadCluster({ env, kubeconfig: target.kubeconfig })!);
    const ecp = (args: string[]) => runEcp(args, { cwd: repo, env, timeoutMs: 150_000 });
    const row = async () => JSON.parse((await ecp(['--once', '--json'])).stdout).tenants[0].rows[0] as { health: string; healthMessage: string };
    const pods = async () => ((await client.listPods('shop')) ?? []) as LivePod[];

    // v1 turns bad: a replacement of one of its pods cannot pull (a crash-looping old version, as kwok can show it).
    await target.setFailImage(/callbot:v1$/);
    const [victim] = await pods();
    expect((await target.kubectl(['-n', 'shop', 'delete', 'pod', victim!.metadata!.name!, '--wait=false'])).code).toBe(0);
    await waitUntil(async () => (await pods()).some((p) => runs(p, 'v1') && pullFailing(p)), 'a v1 pod failing to pull', 60_000);
    // The failing pod is of the current revision: that is Degraded, rightly.
    expect(await row()).toMatchObject({ health: 'Degraded', healthMessage: expect.stringMatching(/container callbot is in (ErrImagePull|ImagePullBackOff)/) });

    // The good v2 rolls out; v1's failing pod stays until v2's pods have been ready for minReadySeconds.
    await registerImages(dataDir, [image('v2')]);
    const deploy = ecp(['deploy', 'shop', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '120s']);
    await waitUntil(async () => (await pods()).some((p) => runs(p, 'v2') && p.status?.phase === 'Running'), 'a v2 pod running', 60_000);
    expect((await pods()).some((p) => runs(p, 'v1') && pullFailing(p) && !(p.metadata as { deletionTimestamp?: unknown }).deletionTimestamp)).toBe(true);
    expect((await row()).health).toBe('Progressing');
    const lines = diagnosisLines(await diagnoseWorkload(client, 'Deployment', 'shop', 'callbot'));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}callbot-\S+ \(old revision\) Pending ready 0\/1 restarts 0 (ErrImagePull|ImagePullBackOff)/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}callbot-\S+ Running ready 1\/1 restarts 0$/));

    const done = await deploy;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stderr).not.toMatch(/rollout failed/);
    const [record] = (await new Store(dataDir).read()).deployments;
    expect(record).toMatchObject({ toImage: image('v2'), status: 'succeeded' });
    expect((await row()).health).toBe('Healthy');
  }, 240_000);
});
