/**
 * Issue 13's StatefulSet paragraph: a service run by a StatefulSet is deployed, judged and rolled
 * back like a Deployment's. Its image that never pulls makes the deploy fail as soon as a pod is
 * in ImagePullBackOff (Argo CD's StatefulSet health, turned Degraded by the pod), --once shows it
 * Degraded, the version is failed, and a rollback brings the StatefulSet back healthy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { runEcp } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { waitUntil } from '../helpers/wait.js';

const image = (tag: string) => `localhost:5000/ecp-ai/sessions:${tag}`;

describeTargets('a service run by a StatefulSet', (kind) => {
  let repo: string;
  let dataDir: string;
  let target: ClusterTarget;
  const ecp = (args: string[]) => runEcp(args, { cwd: repo, env: { KUBECONFIG: target.kubeconfig }, timeoutMs: 120_000 });
  const row = async () => {
    const r = await ecp(['--once', '--json']);
    return { code: r.code, row: JSON.parse(r.stdout).tenants[0].rows[0] };
  };

  beforeAll(async () => {
    repo = gitRepo();
    dataDir = tempDir();
    mkdirSync(path.join(repo, 'k8s-manifests', 'sessions'), { recursive: true });
    writeFileSync(
      path.join(repo, 'k8s-manifests', 'sessions', 'store.yaml'),
      `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: session-store
  namespace: sessions
spec:
  replicas: 2
  serviceName: session-store
  selector:
    matchLabels: {app: session-store}
  template:
    metadata:
      labels: {app: session-store}
    spec:
      containers:
        - name: store
          image: ${image('v1')}
`,
    );
    writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'sessions');
    await registerImages(dataDir, [image('v1')]);
    target = await startTarget(kind, { seed: path.join(repo, 'k8s-manifests'), failImage: /:v2-broken$/ });
  }, 180_000);
  afterAll(() => target?.stop());

  it('fails a deploy whose image never pulls, shows it Degraded, and rolls back healthy', async () => {
    await waitUntil(async () => (await row()).code === 0, 'the seeded StatefulSet is Synced and Healthy', 90_000);
    await registerImages(dataDir, [image('v2-broken')]);
    const deployed = await ecp(['deploy', 'sessions', '--service', 'sessions', '--no-build', '--skip-registry-check', '--timeout', '90s']);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(1);
    expect(deployed.stdout + deployed.stderr).toMatch(/sessions: Pod session-store-\d container store is in (ErrImagePull|ImagePullBackOff)/);
    const degraded = await row();
    expect(degraded.row).toMatchObject({ service: 'sessions', workload: 'session-store', workloadKind: 'StatefulSet', sync: 'Synced', health: 'Degraded', manifestTag: 'v2-broken' });
    const versions = JSON.parse((await ecp(['versions', 'list', 'sessions', '--json'])).stdout) as { id: string; imageTag: string; status: string }[];
    expect(versions.find((v) => v.imageTag === 'v2-broken')?.status).toBe('failed');

    const v1 = versions.find((v) => v.imageTag === 'v1')!;
    const back = await ecp(['rollback', 'sessions', 'sessions', '--to', v1.id, '--reason', 'v2 never pulls', '--skip-registry-check', '--timeout', '90s']);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const after = await row();
    expect(after.row).toMatchObject({ sync: 'Synced', health: 'Healthy', manifestTag: 'v1', liveTag: 'v1' });
  }, 300_000);
});
