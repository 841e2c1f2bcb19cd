/** The manifest model over real-world style fixtures: tenants, services, own containers, namespaces. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScalar, visit } from 'yaml';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { buildDocuments, listTenantFolders, loadTenant, loadTenants, parseManifestText, tenantFromFiles } from '../../source/adapters/manifests.js';
import { serviceOfImage } from '../../source/domain/manifest-model.js';
import { UsageError } from '../../source/errors.js';
import { ecpEnv, fixturesDir, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { tempDir } from '../helpers/temp.js';

const config = { manifestsDir: fixturesDir, registry: 'localhost:5000', imagePrefix: 'ecp-ai' };

describe('manifest model', () => {
  it('finds the services of a tenant, their kind, namespace, image and replicas', async () => {
    const tenant = await loadTenant(config, 'acme');
    expect(tenant.namespace).toBe('acme');
    expect(tenant.files.map((f) => f.file)).toEqual(['acme/advisor.yaml', 'acme/callbot.yaml', 'acme/chatbot.yaml', 'acme/redis.yml']);
    const summary = tenant.services.map((s) => ({
      name: s.name,
      kind: s.workloads[0]!.kind,
      namespace: s.namespace,
      tag: s.tag,
      replicas: s.workloads[0]!.replicas,
      file: s.workloads[0]!.file,
      documentIndex: s.workloads[0]!.documentIndex,
    }));
    expect(summary).toEqual([
      { name: 'advisor', kind: 'StatefulSet', namespace: 'acme', tag: 'v0.9.0-ccccccc', replicas: 1, file: 'acme/advisor.yaml', documentIndex: 0 },
      { name: 'callbot', kind: 'Deployment', namespace: 'acme', tag: 'v1.0.0-aaaaaaa', replicas: 2, file: 'acme/callbot.yaml', documentIndex: 1 },
      // no metadata.namespace: the tenant's namespace
      { name: 'chatbot', kind: 'Deployment', namespace: 'acme', tag: 'v2.0.0-bbbbbbb', replicas: 1, file: 'acme/chatbot.yaml', documentIndex: 0 },
    ]);
    // redis is a Deployment, but not an ecp service
    expect(tenant.workloads.map((w) => w.name)).toContain('redis');
  });

  it("keeps only containers with the service's own repository: sidecars and other init containers are not its own", async () => {
    const tenant = await loadTenant(config, 'acme');
    const callbot = tenant.services.find((s) => s.name === 'callbot')!;
    expect(callbot.image).toBe('localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa');
    const workload = callbot.workloads[0]!;
    expect(workload.own.map((c) => `${c.list}/${c.name}@${c.position?.line}`)).toEqual(['containers/callbot@61', 'initContainers/migrate@57']);
    const others = workload.containers.filter((c) => c.service !== 'callbot').map((c) => c.image);
    expect(others).toEqual(['redis:alpine', 'docker.io/fluent/fluent-bit:3.1', 'busybox:1.36']);
  });

  it('refuses tenant ids that are not DNS-1123 labels before touching any path', async () => {
    const nowhere = { ...config, manifestsDir: '/nonexistent/ecp' };
    for (const bad of ['../etc', 'a;b', 'Acme', '', 'a/b', '-a']) {
      await expect(loadTenant(nowhere, bad)).rejects.toThrow(/is not a valid DNS-1123 label/);
    }
  });

  it('names the tenant and the folder when the tenant does not exist', async () => {
    const error = await loadTenant(config, 'initech').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('Tenant "initech" does not exist');
    expect((error as Error).message).toContain(fixturesDir);
  });

  it('lists as tenants only sub-folders with YAML files, and flags folders whose names are not labels', async () => {
    const dir = tempDir();
    for (const [folder, file] of [
      ['alpha', 'a.yaml'],
      ['beta', 'b.yml'],
      ['Bad_Name', 'x.yaml'],
      ['empty', 'README.md'],
    ] as const) {
      mkdirSync(path.join(dir, folder));
      writeFileSync(path.join(dir, folder, file), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    }
    const folders = await listTenantFolders({ manifestsDir: dir });
    expect(folders.map((f) => [f.id, f.valid])).toEqual([
      ['alpha', true],
      ['Bad_Name', false],
      ['beta', true],
    ]);
    expect((await loadTenants({ ...config, manifestsDir: dir })).map((t) => t.id)).toEqual(['alpha', 'beta']);
  });

  it("takes the tenant's namespace from its one Namespace object when there is one", () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ecp-acme}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: callbot}\nspec:\n  template:\n    spec:\n      containers: [{name: callbot, image: localhost:5000/ecp-ai/callbot:v1}]',
    ].join('\n---\n');
    const file = parseManifestText(text, '/x/acme/all.yaml', 'acme/all.yaml');
    const tenant = tenantFromFiles(config, 'acme', '/x/acme', [file]);
    expect(tenant.namespace).toBe('ecp-acme');
    expect(tenant.namespaceSource).toBe('Namespace object');
    expect(tenant.services[0]!.namespace).toBe('ecp-acme');
  });

  it('reports YAML errors with line and column instead of throwing', () => {
    const file = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a, b\n', '/x/t/a.yaml', 't/a.yaml');
    expect(file.errors.length).toBeGreaterThan(0);
    expect(file.errors[0]!.line).toBeGreaterThanOrEqual(4);
  });

  for (const documentsFirst of [false, true]) {
    it(`the parsed form kept after an update equals a fresh parse of the written file (positions and values)${documentsFirst ? ', when the Documents were built before it' : ''}`, async () => {
      const ws = manifestWorkspace(['acme']);
      seedStore(ws.data, [version('callbot', 'v1.2.0-a-much-longer-tag-2222222'), version('chatbot', 'v9'), version('advisor', 'v1')]);
      const config = loadConfig({ cwd: ws.root, env: ecpEnv(ws) });
      // Built before the update (as a console that showed positions has them): the edits are then found by the Documents.
      if (documentsFirst) for (const file of (await loadTenant(config, 'acme')).files) buildDocuments(file);
      await updateManifests(createCore(config), { tenant: 'acme', skipRegistryCheck: true });
      const cached = await loadTenant(config, 'acme'); // answered from the cache
      for (const file of cached.files) {
        const fresh = parseManifestText(readFileSync(file.path, 'utf8'), file.path, file.file);
        expect(file.text).toBe(fresh.text);
        expect(file.lineCounter.lineStarts).toEqual(fresh.lineCounter.lineStarts);
        file.documents.forEach((d, i) => {
          const f = fresh.documents[i]!;
          expect(d.value).toEqual(f.value);
          expect(d.line).toBe(f.line);
          expect(d.doc.range).toEqual(f.doc.range);
          const ranges = (doc: typeof d.doc) => {
            const out: unknown[] = [];
            visit(doc, { Node: (_, node) => void out.push([(node as { range?: unknown }).range, isScalar(node) ? node.value : null]) });
            return out;
          };
          expect(ranges(d.doc)).toEqual(ranges(f.doc));
        });
      }
      expect(cached.services.find((s) => s.name === 'callbot')!.workloads[0]!.own.map((c) => c.position)).toEqual([
        { line: 61, column: 16 },
        { line: 57, column: 16 },
      ]);
    });
  }
});

describe('which service a container belongs to (issue 20)', () => {
  const rules = { registry: 'quay.io', imagePrefix: 'argoproj' };
  it('is the image under registry/prefix, whatever the workload is called', () => {
    expect(serviceOfImage(rules, 'argocd-server', 'quay.io/argoproj/argocd')).toBe('argocd');
    expect(serviceOfImage(rules, 'argocd-server', 'ghcr.io/dexidp/dex')).toBeUndefined();
    expect(serviceOfImage(rules, 'argocd-server', 'quay.io/argoproj/team/argocd')).toBeUndefined();
  });
  it('follows the config: its image, only its workloads, and a configured name is never guessed', () => {
    const serviceImages = [
      { name: 'dex', repository: 'ghcr.io/dexidp/dex' },
      { name: 'argocd', repository: 'quay.io/argoproj/argocd', workloads: ['argocd-server'] },
      { name: 'events', repository: 'registry.example/events' },
    ];
    const configured = { ...rules, serviceImages };
    expect(serviceOfImage(configured, 'argocd-dex-server', 'ghcr.io/dexidp/dex')).toBe('dex');
    expect(serviceOfImage(configured, 'argocd-server', 'quay.io/argoproj/argocd')).toBe('argocd');
    expect(serviceOfImage(configured, 'argocd-repo-server', 'quay.io/argoproj/argocd')).toBeUndefined();
    expect(serviceOfImage(configured, 'x', 'quay.io/argoproj/events')).toBeUndefined();
  });
});
