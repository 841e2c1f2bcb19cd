/**
 * The sandbox held to what a real API server answers (issue 13): each case is a kubectl 1.32
 * command an SRE would type, checked for the output and the stored state a real cluster gives.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import { call, deployment, kubectl } from './helpers.js';
import { sandbox } from './helpers.js';

let sb: Awaited<ReturnType<typeof sandbox>>;
let clock: ManualClock;
let work: string;

beforeAll(async () => {
  work = tempDir('ecp-real-server-');
  clock = new ManualClock();
  sb = await sandbox({ clock });
  expect((await kubectl(sb, ['create', 'namespace', 'shop'])).stdout).toBe('namespace/shop created\n');
  expect((await call(sb, 'POST', '/apis/apps/v1/namespaces/shop/deployments', deployment('advisor', 'shop', 'localhost:5000/ecp-ai/advisor:v1'))).status).toBe(201);
});

const exists = async (urlPath: string) => (await call(sb, 'GET', urlPath)).status === 200;

describe('server-side dry run of a delete (dryRun in the DeleteOptions body)', () => {
  it('delete deploy --dry-run=server reports the delete and keeps the Deployment', async () => {
    const r = await kubectl(sb, ['delete', 'deploy', 'advisor', '-n', 'shop', '--dry-run=server']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps "advisor" deleted (server dry run)\n' });
    expect(await exists('/apis/apps/v1/namespaces/shop/deployments/advisor')).toBe(true);
  });

  it('delete -f and delete ns with --dry-run=server keep everything', async () => {
    const file = path.join(work, 'advisor.yaml');
    writeFileSync(file, JSON.stringify(deployment('advisor', 'shop', 'localhost:5000/ecp-ai/advisor:v1')));
    expect((await kubectl(sb, ['delete', '-f', file, '--dry-run=server'])).code).toBe(0);
    expect((await kubectl(sb, ['delete', 'ns', 'shop', '--dry-run=server'])).stdout).toBe('namespace "shop" deleted (server dry run)\n');
    expect(await exists('/apis/apps/v1/namespaces/shop/deployments/advisor')).toBe(true);
    expect(await exists('/api/v1/namespaces/shop')).toBe(true);
  });
});

describe('kubectl create <kind> (protobuf request bodies)', () => {
  it('creates a ConfigMap, a generic Secret and a ServiceAccount with their data', async () => {
    expect((await kubectl(sb, ['create', 'configmap', 'settings', '-n', 'shop', '--from-literal=LOG_LEVEL=info', '--from-literal=REGION=kr'])).stdout).toBe('configmap/settings created\n');
    expect((await kubectl(sb, ['create', 'secret', 'generic', 'token', '-n', 'shop', '--from-literal=key=s3cr3t'])).stdout).toBe('secret/token created\n');
    expect((await kubectl(sb, ['create', 'sa', 'robot', '-n', 'shop'])).stdout).toBe('serviceaccount/robot created\n');
    const cm = (await call(sb, 'GET', '/api/v1/namespaces/shop/configmaps/settings')).body;
    expect(cm.data).toEqual({ LOG_LEVEL: 'info', REGION: 'kr' });
    const secret = (await call(sb, 'GET', '/api/v1/namespaces/shop/secrets/token')).body;
    expect(secret).toMatchObject({ type: 'Opaque', data: { key: Buffer.from('s3cr3t').toString('base64') } });
    expect(await exists('/api/v1/namespaces/shop/serviceaccounts/robot')).toBe(true);
  });

  it('creates a Deployment and a Service as kubectl builds them, and the Deployment rolls out', async () => {
    const d = await kubectl(sb, ['create', 'deployment', 'web', '-n', 'shop', '--image=localhost:5000/ecp-ai/web:v1', '--replicas=2', '--port=8080']);
    expect(d).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    const stored = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/web')).body;
    expect(stored.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'web' } } });
    expect(stored.spec.template.spec.containers).toMatchObject([{ name: 'web', image: 'localhost:5000/ecp-ai/web:v1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }]);
    expect(stored.spec.template.metadata.creationTimestamp).toBeUndefined();

    const s = await kubectl(sb, ['create', 'service', 'clusterip', 'web', '-n', 'shop', '--tcp=80:8080']);
    expect(s).toMatchObject({ code: 0, stdout: 'service/web created\n' });
    const svc = (await call(sb, 'GET', '/api/v1/namespaces/shop/services/web')).body;
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }] });
  });

  it('dry runs a create on the server, and refuses a body in a media type it does not take with 415', async () => {
    const dry = await kubectl(sb, ['create', 'configmap', 'dry', '-n', 'shop', '--from-literal=a=b', '--dry-run=server']);
    expect(dry.stdout).toBe('configmap/dry created (server dry run)\n');
    expect(await exists('/api/v1/namespaces/shop/configmaps/dry')).toBe(false);
    const reply = await call(sb, 'POST', '/api/v1/namespaces/shop/configmaps', 'a=b', { 'content-type': 'text/plain' });
    expect(reply.status).toBe(415);
    expect(reply.body).toMatchObject({
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    });
  });
});
