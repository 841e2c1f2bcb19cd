/**
 * Issue 20, the Argo CD layout: one image (quay.io/argoproj/argocd) run by six Deployments and a
 * StatefulSet, in main and init containers, beside other images (dex, redis). ecp reads it with
 * DOCKER_REGISTRY=quay.io IMAGE_PREFIX=argoproj and no `services:` config: one service, seven
 * workloads, moved together by update, deploy and rollback, judged per workload by --once.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { waitUntil } from '../helpers/wait.js';

const fixture = path.join(repoRoot, 'test/fixtures/layouts/argocd');
const image = (tag: string) => `quay.io/argoproj/argocd:${tag}`;
const WORKLOADS = [
  'Deployment/argocd-applicationset-controller',
  'Deployment/argocd-dex-server',
  'Deployment/argocd-notifications-controller',
  'Deployment/argocd-redis',
  'Deployment/argocd-repo-server',
  'Deployment/argocd-server',
  'StatefulSet/argocd-application-controller',
];

describeTargets('the Argo CD layout: one image in several workloads', (kind) => {
  let repo: string;
  let dataDir: string;
  let target: ClusterTarget;
  let manifest: string;
  const ecp = (args: string[]) => runEcp(args, { cwd: repo, env: { KUBECONFIG: target.kubeconfig }, timeoutMs: 120_000 });
  const once = async () => {
    const r = await ecp(['--once', '--json']);
    return { code: r.code, row: JSON.parse(r.stdout).tenants[0].rows[0] };
  };
  /** Every workload's images, live: `Kind/name container=image` lines. */
  const liveImages = async () => {
    const jsonpath =
      '{range .items[*]}{.kind}/{.metadata.name}{range .spec.template.spec.initContainers[*]} {.name}={.image}{end}{range .spec.template.spec.containers[*]} {.name}={.image}{end}{"\\n"}{end}';
    const r = await target.kubectl(['-n', 'argocd', 'get', 'deployments,statefulsets', '-o', `jsonpath=${jsonpath}`]);
    return r.stdout.trim().split('\n').sort();
  };

  beforeAll(async () => {
    repo = gitRepo();
    dataDir = tempDir();
    cpSync(fixture, path.join(repo, 'k8s-manifests', 'argocd'), { recursive: true });
    writeFileSync(path.join(repo, 'ecp.config.yaml'), `registry: quay.io\nimagePrefix: argoproj\ndataDir: ${dataDir}\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'argocd');
    manifest = path.join(repo, 'k8s-manifests/argocd/install.yaml');
    await registerImages(dataDir, [image('v2.13.0')]);
    target = await startTarget(kind, { seed: path.join(repo, 'k8s-manifests') });
  }, 300_000);
  afterAll(() => target?.stop());

  it('lists one service with its seven workloads, and validates', async () => {
    const r = await ecp(['services', 'argocd', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.services.map((s: { name: string }) => s.name)).toEqual(['argocd']);
    const [argocd] = json.services;
    expect(argocd.workloads.map((w: { kind: string; name: string }) => `${w.kind}/${w.name}`).sort()).toEqual(WORKLOADS);
    // dex's and redis's own images are not the service's: only their argocd init containers are.
    const dex = argocd.workloads.find((w: { name: string }) => w.name === 'argocd-dex-server');
    expect(dex.containers).toEqual([expect.objectContaining({ name: 'copyutil', list: 'initContainers', image: image('v2.13.0') })]);
    expect(json.unmanaged).toEqual([]);
    const validate = await ecp(['validate', 'argocd']);
    expect(validate.stdout + validate.stderr).toMatch(/argocd: 1 file, 19 objects: valid/);
    expect(validate.code).toBe(0);
  });

  it('is Synced and Healthy when seeded', async () => {
    let last = '';
    await waitUntil(
      async () => {
        const r = await once();
        last = `${r.row.sync} ${r.row.health}: ${r.row.message}`;
        return r.code === 0;
      },
      '--once says all good',
      150_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message} Last: ${last}`);
    });
    const { row } = await once();
    expect(row).toMatchObject({ sync: 'Synced', health: 'Healthy', version: 'ready', liveTag: 'v2.13.0' });
    expect(row.workloads).toHaveLength(7);
  }, 180_000);

  it('an update changes exactly the lines of that image, in every workload; deploy rolls them all out', async () => {
    await registerImages(dataDir, [image('v2.14.0')]);
    const before = readFileSync(manifest, 'utf8');
    const r = await ecp(['deploy', 'argocd', '--no-build', '--skip-registry-check', '--timeout', '2m']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = readFileSync(manifest, 'utf8');
    const a = before.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length);
    const changed = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]]]));
    // 4 Deployments' and the StatefulSet's main containers, and the init containers of dex, redis and repo-server.
    expect(changed).toHaveLength(8);
    for (const [from, to] of changed) expect(to).toBe(from!.replace(image('v2.13.0'), image('v2.14.0')));
    expect(after).toContain('image: ghcr.io/dexidp/dex:v2.41.1');
    expect(after).toContain('image: public.ecr.aws/docker/library/redis:7.0.15-alpine');
    const lives = await liveImages();
    expect(lives).toHaveLength(7);
    for (const line of lives) expect(line).not.toContain(image('v2.13.0'));
    expect(lives.join('\n')).toContain('dex=ghcr.io/dexidp/dex:v2.41.1');
    await waitUntil(async () => (await once()).code === 0, '--once says all good at v2.14.0', 120_000);
  });

  it('a hand-set image on one workload is OutOfSync naming it', async () => {
    const set = await target.kubectl(['-n', 'argocd', 'set', 'image', 'statefulset/argocd-application-controller', `argocd-application-controller=${image('v2.14.0-hand')}`]);
    expect(set.code, set.stderr).toBe(0);
    const { code, row } = await once();
    expect(code).toBe(1);
    expect(row).toMatchObject({ service: 'argocd', sync: 'OutOfSync', workload: 'argocd-application-controller', workloadKind: 'StatefulSet', liveTag: 'v2.14.0-hand' });
    expect(row.message).toContain(`StatefulSet argocd-application-controller: live image ${image('v2.14.0-hand')} differs from manifest ${image('v2.14.0')}`);
    const text = await ecp(['--once']);
    expect(text.stdout).toMatch(/argocd\s+v2\.14\.0\s+v2\.14\.0-hand\s+OutOfSync/);
  });

  it('a rollback restores every workload, the hand-set one too', async () => {
    const versions = JSON.parse((await ecp(['versions', 'list', 'argocd', '--json'])).stdout);
    const v213 = (versions.versions ?? versions).find((v: { imageTag: string }) => v.imageTag === 'v2.13.0');
    const r = await ecp(['rollback', 'argocd', 'argocd', '--to', v213.id, '--reason', 'argocd v2.14.0 breaks sync', '--skip-registry-check', '--timeout', '2m']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lives = await liveImages();
    expect(lives).toHaveLength(7);
    for (const line of lives) expect(line, line).not.toMatch(/argoproj\/argocd:v2\.14\.0/);
    expect(lives.filter((line) => line.includes(image('v2.13.0')))).toHaveLength(7);
    expect(readFileSync(manifest, 'utf8')).not.toContain(image('v2.14.0'));
    await waitUntil(async () => (await once()).code === 0, '--once says all good after the rollback', 120_000);
  });
});
