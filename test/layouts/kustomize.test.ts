/**
 * Issue 20, Kustomize tenants: one base outside the manifests folder and two overlays, each a
 * tenant folder holding a kustomization.yaml. ecp renders them (kubectl kustomize here), writes
 * tags into the overlay's own images: entry only, validates and applies the rendered objects.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { repoRoot, runEcpInProcess } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { waitUntil } from '../helpers/wait.js';

const fixture = path.join(repoRoot, 'test/fixtures/layouts/kustomize');
const callbot = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

/** A git repository holding the fixture (base/ and the tenants/ manifests folder) and a plain tenant. */
function world() {
  const repo = gitRepo();
  const dataDir = tempDir();
  cpSync(fixture, repo, { recursive: true });
  mkdirSync(path.join(repo, 'tenants', 'plain'));
  writeFileSync(
    path.join(repo, 'tenants', 'plain', 'chatbot.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: chatbot\nspec:\n  selector:\n    matchLabels: {app: chatbot}\n  template:\n    metadata:\n      labels: {app: chatbot}\n    spec:\n      containers:\n        - name: chatbot\n          image: localhost:5000/ecp-ai/chatbot:v1\n',
  );
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `manifestsDir: tenants\ndataDir: ${dataDir}\n`);
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'tenants');
  const file = (...parts: string[]) => path.join(repo, ...parts);
  const read = (...parts: string[]) => readFileSync(file(...parts), 'utf8');
  return { repo, dataDir, file, read };
}

describe('Kustomize tenants: reading and writing the overlays', () => {
  let w: ReturnType<typeof world>;
  const ecp = (args: string[], env: NodeJS.ProcessEnv = {}) => runEcpInProcess(args, { cwd: w.repo, env: { KUBECONFIG: path.join(w.repo, 'no-kubeconfig'), ...env } });
  beforeEach(async () => {
    w = world();
    await registerImages(w.dataDir, [callbot('v1.0.0-aaaaaaa'), callbot('v1.0.0-base'), callbot('v2.0.0-bbbbbbb')]);
  });

  it('lists the rendered service with both its workloads, in the overlay namespace, saying which tool rendered it', async () => {
    const text = await ecp(['services', 'tenant-a']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Kustomize overlay tenants/tenant-a/kustomization.yaml, rendered with kubectl kustomize.');
    expect(text.stdout).toMatch(/^callbot\s+Deployment\s+web\s+tenant-a\s+v1\.0\.0-aaaaaaa\s+1\s+ready\s+tenants\/tenant-a\/kustomization\.yaml:11$/m);
    expect(text.stdout).toMatch(/^callbot\s+StatefulSet\s+callbot-sessions\s+tenant-a\s+v1\.0\.0-aaaaaaa\s/m);
    const json = JSON.parse((await ecp(['services', 'tenant-b', '--json'])).stdout);
    expect(json).toMatchObject({ namespace: 'tenant-b', kustomize: { renderedBy: 'kubectl kustomize' } });
    expect(json.services).toEqual([expect.objectContaining({ name: 'callbot', tag: 'v1.0.0-base' })]);
    const validate = await ecp(['validate', 'tenant-a']);
    expect(validate.code, validate.stdout).toBe(0);
  });

  it("an update of one tenant changes only its kustomization's newTag line; the base and the other tenant stay byte for byte", async () => {
    const before = { a: w.read('tenants/tenant-a/kustomization.yaml'), b: w.read('tenants/tenant-b/kustomization.yaml'), base: w.read('base/callbot.yaml') };
    const r = await ecp(['update-manifests', 'tenant-a', '--tag', 'v2.0.0-bbbbbbb', '--skip-registry-check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('callbot: v1.0.0-aaaaaaa → v2.0.0-bbbbbbb in 2 workloads (web, callbot-sessions)  (tenants/tenant-a/kustomization.yaml:11)');
    const after = w.read('tenants/tenant-a/kustomization.yaml');
    expect(after).toBe(before.a.replace('    newTag: v1.0.0-aaaaaaa   # moved by ecp update-manifests', '    newTag: v2.0.0-bbbbbbb   # moved by ecp update-manifests'));
    expect(after).not.toBe(before.a);
    expect(w.read('tenants/tenant-b/kustomization.yaml')).toBe(before.b);
    expect(w.read('base/callbot.yaml')).toBe(before.base);
    const services = JSON.parse((await ecp(['services', 'tenant-a', '--json'])).stdout);
    expect(services.services[0].workloads.map((x: { image: string }) => x.image)).toEqual([callbot('v2.0.0-bbbbbbb'), callbot('v2.0.0-bbbbbbb')]);
    // ecp tag commits the overlay.
    const tag = await ecp(['tag', 'tenant-a']);
    expect(tag.code, tag.stderr).toBe(0);
    expect(git(w.repo, 'show', '--stat', '--format=%B', 'HEAD')).toMatch(/callbot: v1\.0\.0-aaaaaaa → v2\.0\.0-bbbbbbb[\s\S]*tenants\/tenant-a\/kustomization\.yaml/);
  });

  it('adds an images: entry to an overlay that has none for the service, keeping every other byte', async () => {
    const before = w.read('tenants/tenant-b/kustomization.yaml');
    const r = await ecp(['update-manifests', 'tenant-b', '--tag', 'v2.0.0-bbbbbbb', '--skip-registry-check']);
    expect(r.code, r.stderr).toBe(0);
    expect(w.read('tenants/tenant-b/kustomization.yaml')).toBe(`${before.trimEnd()}\n  - name: localhost:5000/ecp-ai/callbot\n    newTag: v2.0.0-bbbbbbb\n`);
    const json = JSON.parse((await ecp(['services', 'tenant-b', '--json'])).stdout);
    expect(json.services[0].tag).toBe('v2.0.0-bbbbbbb');
  });

  it("validate checks the rendered objects and places an image problem at the overlay's images: entry", async () => {
    writeFileSync(w.file('tenants/tenant-a/kustomization.yaml'), w.read('tenants/tenant-a/kustomization.yaml').replace('v1.0.0-aaaaaaa', 'v9.9.9-unknown'));
    const r = await ecp(['validate', 'tenant-a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'tenants/tenant-a/kustomization.yaml:11: error [image] Deployment/web spec.template.spec.containers[0].image: tag v9.9.9-unknown of callbot is not registered (ecp versions register) (in the objects kubectl kustomize renders)',
    );
    expect(r.stdout).toContain('tenants/tenant-a/kustomization.yaml:11: error [image] StatefulSet/callbot-sessions');
  });

  it('refuses an overlay that does not render, naming the file and kustomize, and writes nothing', async () => {
    const broken = w.read('tenants/tenant-a/kustomization.yaml').replace('../../base', '../../nope');
    writeFileSync(w.file('tenants/tenant-a/kustomization.yaml'), broken);
    const r = await ecp(['update-manifests', 'tenant-a', '--tag', 'v2.0.0-bbbbbbb', '--skip-registry-check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ecp: tenants\/tenant-a\/kustomization\.yaml does not render: kubectl kustomize failed: accumulating resources: .*nope.*; nothing was changed\.$/m);
    expect(w.read('tenants/tenant-a/kustomization.yaml')).toBe(broken);
    const validate = await ecp(['validate', 'tenant-a']);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/tenants\/tenant-a\/kustomization\.yaml:1:1: error \[yaml\] the overlay does not render: kubectl kustomize failed: accumulating resources/);
  });

  it('--sandbox seeds the objects the overlays render: each tenant Synced and Healthy at its own tag', async () => {
    await registerImages(w.dataDir, ['localhost:5000/ecp-ai/chatbot:v1']);
    const r = await ecp(['--once', '--sandbox', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const rows = JSON.parse(r.stdout).tenants.map((t: { id: string; rows: { sync: string; health: string; liveTag: string; workloads: unknown[] }[] }) => [
      t.id,
      t.rows.map((x) => `${x.sync} ${x.health} ${x.liveTag} ${x.workloads.length}`),
    ]);
    expect(rows).toEqual([
      ['plain', ['Synced Healthy v1 1']],
      ['tenant-a', ['Synced Healthy v1.0.0-aaaaaaa 2']],
      ['tenant-b', ['Synced Healthy v1.0.0-base 2']],
    ]);
  });

  it('without kubectl or kustomize, says so with exit 2 for the overlay tenants only', async () => {
    const bin = tempDir();
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const env = { PATH: bin };
    const r = await ecp(['services', 'tenant-a'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tenants\/tenant-a\/kustomization\.yaml does not render: neither kustomize nor kubectl is on PATH/);
    expect((await ecp(['validate', 'tenant-b'], env)).code).toBe(2);
    const tenants = await ecp(['tenants'], env);
    expect(tenants.code).toBe(0);
    expect(tenants.stdout).toMatch(/^tenant-a\s+tenant-a\s+1\s+-\s+does not render$/m);
    expect(tenants.stdout).toMatch(/^plain\s+plain\s+1\s+chatbot\s*$/m);
    const plain = await ecp(['services', 'plain'], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^chatbot\s+Deployment\s+chatbot\s+plain\s/m);
  });
});

describeTargets('Kustomize tenants on a cluster', (kind) => {
  let w: ReturnType<typeof world>;
  let target: ClusterTarget;
  const ecp = (args: string[]) => runEcpInProcess(args, { cwd: w.repo, env: { KUBECONFIG: target.kubeconfig }, timeoutMs: 60_000 });
  beforeAll(async () => {
    w = world();
    await registerImages(w.dataDir, [callbot('v1.0.0-aaaaaaa'), callbot('v1.0.0-base'), localhostChatbot]);
    target = await startTarget(kind);
    for (const ns of ['tenant-a', 'tenant-b', 'plain']) await target.kubectl(['create', 'namespace', ns]);
  }, 180_000);
  afterAll(() => target?.stop());
  const localhostChatbot = 'localhost:5000/ecp-ai/chatbot:v1';

  it('apply sends the rendered objects, and --once shows each tenant with its own tag', async () => {
    for (const tenant of ['tenant-a', 'tenant-b', 'plain']) {
      const r = await ecp(['apply', tenant]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    // The overlay's label and tag are in the cluster: the rendered objects, not the base's.
    const web = JSON.parse((await target.kubectl(['-n', 'tenant-a', 'get', 'deployment', 'web', '-o', 'json'])).stdout);
    expect(web.metadata.labels).toMatchObject({ tenant: 'tenant-a' });
    expect(web.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([callbot('v1.0.0-aaaaaaa'), 'docker.io/fluent/fluent-bit:3.1']);
    const sessions = await target.kubectl(['-n', 'tenant-b', 'get', 'statefulset', 'callbot-sessions', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(sessions.stdout).toBe(callbot('v1.0.0-base'));
    let last = '';
    await waitUntil(
      async () => {
        const r = await ecp(['--once']);
        last = r.stdout;
        return r.code === 0;
      },
      '--once says all good',
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${last}`);
    });
    const json = JSON.parse((await ecp(['--once', '--json'])).stdout);
    const tags = Object.fromEntries(json.tenants.map((t: { id: string; rows: { manifestTag: string; liveTag: string }[] }) => [t.id, t.rows.map((r) => `${r.manifestTag}/${r.liveTag}`)]));
    expect(tags).toEqual({ plain: ['v1/v1'], 'tenant-a': ['v1.0.0-aaaaaaa/v1.0.0-aaaaaaa'], 'tenant-b': ['v1.0.0-base/v1.0.0-base'] });
  }, 150_000);

  it('deploy writes the overlay and rolls out both workloads; rollback puts the overlay and both back', async () => {
    await registerImages(w.dataDir, [callbot('v2.0.0-bbbbbbb')]);
    const live = async () =>
      (
        await target.kubectl(['-n', 'tenant-a', 'get', 'deployment/web', 'statefulset/callbot-sessions', '-o', 'jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}{" "}{end}'])
      ).stdout.trim();
    const deployed = await ecp(['deploy', 'tenant-a', '--no-build', '--skip-registry-check', '--timeout', '1m']);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    expect(w.read('tenants/tenant-a/kustomization.yaml')).toContain('    newTag: v2.0.0-bbbbbbb   # moved by ecp update-manifests');
    expect(await live()).toBe(`${callbot('v2.0.0-bbbbbbb')} ${callbot('v2.0.0-bbbbbbb')}`);
    const versions = JSON.parse((await ecp(['versions', 'list', 'callbot', '--json'])).stdout) as { id: string; imageTag: string }[];
    const v1 = versions.find((v) => v.imageTag === 'v1.0.0-aaaaaaa')!;
    const back = await ecp(['rollback', 'tenant-a', 'callbot', '--to', v1.id, '--reason', 'v2 breaks sessions', '--skip-registry-check', '--timeout', '1m']);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(w.read('tenants/tenant-a/kustomization.yaml')).toContain('    newTag: v1.0.0-aaaaaaa   # moved by ecp update-manifests');
    expect(await live()).toBe(`${callbot('v1.0.0-aaaaaaa')} ${callbot('v1.0.0-aaaaaaa')}`);
    expect(git(w.repo, 'log', '-1', '--format=%s')).toMatch(/rollback/);
  }, 150_000);
});
