/**
 * validate's server-side dry run (dryRun=All through @kubernetes/client-node) against the
 * sandbox API server of source/sandbox/, reached through a kubeconfig as a real cluster would be.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
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

describeTargets('validate with a cluster: server-side dry run', (kind) => {
  let sandbox: ClusterTarget;
  let kubeconfig: string;
  const ws = manifestWorkspace([]);
  beforeAll(async () => {
    sandbox = await startTarget(kind);
    kubeconfig = sandbox.kubeconfig;
    mkdirSync(path.join(ws.manifests, 'shop'));
    writeFileSync(path.join(ws.manifests, 'shop', 'namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    // Both pass the offline schema; the API server rejects `bad`: its selector does not match its labels.
    writeFileSync(path.join(ws.manifests, 'shop', 'apps.yaml'), `${deployment('web', 'web', 'web')}\n---\n${deployment('bad', 'bad', 'other')}\n`);
    seedStore(ws.data, [version('web', 'v1.0.0-1234567'), version('bad', 'v1.0.0-1234567')]);
    // A real server dry-runs a namespaced object only in a namespace that exists.
    expect((await sandbox.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n')).code).toBe(0);
    mkdirSync(path.join(ws.manifests, 'fresh'));
    writeFileSync(path.join(ws.manifests, 'fresh', 'apps.yaml'), `${deployment('web', 'web', 'web')}\n`);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('sends every object as a dry run and reports what the server rejects at its file and line', async () => {
    await sandbox.clearRequests();
    const result = await runEcp(['validate', 'shop'], { cwd: ws.root, env: ecpEnv(ws, { KUBECONFIG: kubeconfig }) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^k8s-manifests\/shop\/apps\.yaml:23:7: error \[dry-run\] Deployment\/bad spec\.template\.metadata\.labels: server rejected it \(422 Invalid\): .*`selector` does not match template `labels`/m,
    );
    expect(result.stdout.match(/\[dry-run\]/g)).toHaveLength(1);
    expect(result.stdout).toContain(`Server-side dry run: 3 objects on context ${sandbox.context} (${sandbox.url}).`);
    const writes = (await sandbox.requests()).filter((r) => r.verb !== 'get' && r.verb !== 'list' && r.verb !== 'watch');
    expect(writes.length).toBeGreaterThanOrEqual(3);
    // nothing was persisted
    const list = await sandbox.kubectl(['-n', 'shop', 'get', 'deployments', '-o', 'name']);
    expect(list).toMatchObject({ code: 0, stdout: '' });
  });

  it('says which objects it could not dry-run because their namespace is not in the cluster yet', async () => {
    const result = await runEcp(['validate', 'fresh'], { cwd: ws.root, env: ecpEnv(ws, { KUBECONFIG: kubeconfig }) });
    expect(result.stdout).toMatch(/^k8s-manifests\/fresh\/apps\.yaml:4:3: warning \[dry-run\] Deployment\/web metadata\.namespace: not dry-run: namespaces "fresh" not found in the cluster yet$/m);
    expect(result.code).toBe(0);
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
