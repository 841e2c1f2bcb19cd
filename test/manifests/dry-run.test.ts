/**
 * validate's server-side dry run (dryRun=All through @kubernetes/client-node) against the
 * sandbox API server of source/sandbox/, reached through a kubeconfig as a real cluster would be.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../source/sandbox/index.js';
import { ecpEnv, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { runEcp } from '../helpers/run-ecp.js';

const deployment = (name: string, selector: string, labels: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  selector: {matchLabels: {app: ${selector}}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${labels}}`,
    '    spec:',
    '      containers:',
    `      - name: ${name}`,
    `        image: localhost:5000/ecp-ai/${name}:v1.0.0-1234567`,
  ].join('\n');

describe('validate with a cluster: server-side dry run against the sandbox', () => {
  let sandbox: Sandbox;
  let kubeconfig: string;
  const ws = manifestWorkspace([]);
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, rollouts: false });
    kubeconfig = await sandbox.writeKubeconfig(path.join(ws.root, 'kubeconfig'));
    mkdirSync(path.join(ws.manifests, 'shop'));
    writeFileSync(path.join(ws.manifests, 'shop', 'namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    // Both pass the offline schema; the API server rejects `bad`: its selector does not match its labels.
    writeFileSync(path.join(ws.manifests, 'shop', 'apps.yaml'), `${deployment('web', 'web', 'web')}\n---\n${deployment('bad', 'bad', 'other')}\n`);
    seedStore(ws.data, [version('web', 'v1.0.0-1234567'), version('bad', 'v1.0.0-1234567')]);
    // The tenant's namespace exists in the cluster (a real API server answers 404 for objects in a missing one).
    const ns = await fetch(`${sandbox.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }) });
    expect(ns.status).toBe(201);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('sends every object as a dry run and reports what the server rejects at its file and line', async () => {
    const before = sandbox.requestCount();
    const result = await runEcp(['validate', 'shop'], { cwd: ws.root, env: ecpEnv(ws, { KUBECONFIG: kubeconfig }) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^k8s-manifests\/shop\/apps\.yaml:23:7: error \[dry-run\] Deployment\/bad spec\.template\.metadata\.labels: server rejected it \(422 Invalid\): .*`selector` does not match template `labels`/m,
    );
    expect(result.stdout.match(/\[dry-run\]/g)).toHaveLength(1);
    expect(result.stdout).toContain(`Server-side dry run: 3 objects on context ecp-sandbox (${sandbox.url}).`);
    const writes = sandbox.requests().slice(before).filter((r) => r.verb !== 'get' && r.verb !== 'list');
    expect(writes.length).toBeGreaterThanOrEqual(3);
    // nothing was persisted
    const list = await fetch(`${sandbox.url}/apis/apps/v1/namespaces/shop/deployments`).then((r) => r.json() as Promise<{ items: unknown[] }>);
    expect(list.items).toEqual([]);
  });

  it('--offline skips the dry run and says so', async () => {
    const result = await runEcp(['validate', 'shop', '--offline'], { cwd: ws.root, env: ecpEnv(ws, { KUBECONFIG: kubeconfig }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Cluster: offline (--offline).');
  });

  it('a cluster that cannot be reached is exit 2 naming it', async () => {
    const dead = path.join(ws.root, 'dead-kubeconfig');
    writeFileSync(
      dead,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: dead, cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {}}]',
        'contexts: [{name: dead, context: {cluster: dead, user: u}}]',
        'current-context: dead',
      ].join('\n'),
    );
    const result = await runEcp(['validate', 'shop'], { cwd: ws.root, env: ecpEnv(ws, { KUBECONFIG: dead }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/The Kubernetes API at context dead \(http:\/\/127\.0\.0\.1:1\) could not be reached for the server-side dry run/);
  });
});
