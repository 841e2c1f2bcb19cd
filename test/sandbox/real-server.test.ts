/**
 * The sandbox held to what a real API server answers (issue 13): each case is a kubectl 1.32
 * command an SRE would type, checked for the output and the stored state a real cluster gives.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentHealth, statefulSetHealth } from '../../source/domain/health.js';
import { ManualClock } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import { call, deployment, kubectl, sandbox, workloadYaml } from './helpers.js';

/** The REVISION column of `kubectl rollout history`. */
const revisionsOf = (out: string) =>
  out
    .trim()
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/)[0]);

let sb: Awaited<ReturnType<typeof sandbox>>;
let clock: ManualClock;
let work: string;

beforeAll(async () => {
  work = tempDir('ecp-real-server-');
  // An hour ago, so the ages kubectl works out itself (describe) from its own clock stay positive.
  clock = new ManualClock(Date.now() - 3_600_000);
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
    expect(stored.spec.template.metadata).toHaveProperty('creationTimestamp', null);

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

describe('typed decoding and fieldValidation', () => {
  const manifest = (name: string, extra: { spec?: string; container?: string } = {}) => workloadYaml('Deployment', name, { namespace: 'shop', ...extra });
  const write = (file: string, text: string) => {
    writeFileSync(path.join(work, file), text);
    return file;
  };

  it('refuses a patch that gives a field the wrong type with 422, and stores nothing', async () => {
    // A strategic merge patch is named as Go prints the patch map, with the unstructured converter's words.
    const r = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '-p', '{"spec":{"replicas":"two"}}']);
    expect(r).toMatchObject({ code: 1, stderr: 'The request is invalid: patch: Invalid value: "map[spec:map[replicas:two]]": unrecognized type: int32\n' });
    // A merge patch is named by the whole patched object, with encoding/json's words.
    const merge = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '--type', 'merge', '-p', '{"spec":{"replicas":"two"}}']);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/^The request is invalid: patch: Invalid value: "\{.*\}": json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32\n$/);
    expect((await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/advisor')).body.spec.replicas).toBe(1);
  });

  it('refuses a manifest with a wrong type with 400, naming the Go field', async () => {
    const file = write('port.yaml', manifest('port', { container: '        ports: [{containerPort: http}]\n' }));
    const r = await kubectl(sb, ['apply', '-f', file], work);
    expect(r).toMatchObject({
      code: 1,
      stderr: `Error from server (BadRequest): error when creating "port.yaml": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32\n`,
    });
  });

  it('refuses an unsupported strategy type with 422', async () => {
    const file = write('bogus.yaml', manifest('bogus', { spec: '  strategy: {type: Bogus}\n' }));
    const r = await kubectl(sb, ['apply', '-f', file], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Deployment "bogus" is invalid: spec.strategy.type: Unsupported value: "Bogus": supported values: "Recreate", "RollingUpdate"\n');
  });

  it('apply --dry-run=server (Strict) refuses unknown fields; Warn stores without them and warns', async () => {
    const file = write('typo.yaml', manifest('typo', { spec: '  replica: 2\n', container: '        imagePullPolcy: Always\n' }));
    const strict = await kubectl(sb, ['apply', '--dry-run=server', '-f', file], work);
    expect(strict).toMatchObject({
      code: 1,
      stderr:
        'Error from server (BadRequest): error when creating "typo.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolcy"\n',
    });
    const warned = await kubectl(sb, ['apply', '--validate=warn', '-f', file], work);
    expect(warned).toMatchObject({ code: 0, stdout: 'deployment.apps/typo created\n' });
    expect(warned.stderr).toBe('Warning: unknown field "spec.replica"\nWarning: unknown field "spec.template.spec.containers[0].imagePullPolcy"\n');
    const stored = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/typo')).body;
    expect(stored.spec.replica).toBeUndefined();
    expect(stored.spec.template.spec.containers[0].imagePullPolcy).toBeUndefined();
    const ignored = await kubectl(sb, ['apply', '--validate=false', '-f', write('typo2.yaml', manifest('typo2', { spec: '  replica: 2\n' }))], work);
    expect(ignored).toMatchObject({ code: 0, stderr: '' });
  });

  it('server-side apply refuses a field its schema does not declare', async () => {
    const file = write('ssa-typo.yaml', manifest('ssatypo', { spec: '  replica: 2\n' }));
    const r = await kubectl(sb, ['apply', '--server-side', '--dry-run=server', '-f', file], work);
    expect(r).toMatchObject({ code: 1, stderr: 'Error from server: failed to create typed patch object (shop/ssatypo; apps/v1, Kind=Deployment): .spec.replica: field not declared in schema\n' });
  });
});

describe('independence from the product', () => {
  it('imports only its own modules and npm packages, so it cannot share a mistake with what it checks', () => {
    const dir = path.resolve(import.meta.dirname, '../../source/sandbox');
    const outside = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/^import [^;]*? from '([^']+)'/gm)].map((m) => `${f}: ${m[1]}`))
      .filter((line) => /: \.\.\//.test(line));
    expect(outside).toEqual([]);
  });
});

describe('namespaces', () => {
  it('refuses to create into a namespace that does not exist, and creates nothing', async () => {
    const file = path.join(work, 'nope.json');
    writeFileSync(file, JSON.stringify(deployment('lost', 'nope', 'localhost:5000/ecp-ai/lost:v1')));
    const apply = await kubectl(sb, ['apply', '-f', file]);
    expect(apply).toMatchObject({ code: 1, stderr: `Error from server (NotFound): error when creating "${file}": namespaces "nope" not found\n` });
    const create = await kubectl(sb, ['create', 'configmap', 'lost', '-n', 'nope']);
    expect(create).toMatchObject({ code: 1, stderr: 'error: failed to create configmap: namespaces "nope" not found\n' });
    expect(await exists('/api/v1/namespaces/nope')).toBe(false);
  });

  it('has the default namespaces, the kubernetes Service, and a default ServiceAccount and kube-root-ca.crt in each namespace', async () => {
    const ns = await kubectl(sb, ['get', 'ns', '-o', 'name']);
    expect(ns.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system', 'namespace/shop']));
    expect((await kubectl(sb, ['get', 'sa', 'default', '-n', 'shop', '-o', 'name'])).stdout).toBe('serviceaccount/default\n');
    expect((await kubectl(sb, ['get', 'sa', 'default', '-n', 'default', '-o', 'name'])).stdout).toBe('serviceaccount/default\n');
    expect((await kubectl(sb, ['get', 'cm', 'kube-root-ca.crt', '-n', 'shop', '-o', 'name'])).stdout).toBe('configmap/kube-root-ca.crt\n');
    expect((await kubectl(sb, ['get', 'svc', 'kubernetes', '-n', 'default', '--no-headers'])).stdout).toMatch(/^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\n$/);
  });
});

describe('rollout undo', () => {
  const settle = () => {
    for (let i = 0; i < 30; i++) clock.advance(1000);
  };
  const image = async (name: string) => (await kubectl(sb, ['get', 'deploy', name, '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout;

  it('reuses the old ReplicaSet: its revision is renumbered and no new ReplicaSet is made', async () => {
    await kubectl(sb, ['create', 'deployment', 'undo', '-n', 'shop', '--image=localhost:5000/ecp-ai/undo:v1']);
    settle();
    for (const tag of ['v2', 'v3', 'v4']) {
      await kubectl(sb, ['-n', 'shop', 'set', 'image', 'deploy/undo', `undo=localhost:5000/ecp-ai/undo:${tag}`]);
      settle();
    }
    const undo = await kubectl(sb, ['-n', 'shop', 'rollout', 'undo', 'deploy/undo', '--to-revision=3']);
    expect(undo).toMatchObject({ code: 0, stdout: 'deployment.apps/undo rolled back\n' });
    settle();
    expect(await image('undo')).toBe('localhost:5000/ecp-ai/undo:v3');
    const history = await kubectl(sb, ['-n', 'shop', 'rollout', 'history', 'deploy/undo']);
    expect(revisionsOf(history.stdout)).toEqual(['1', '2', '4', '5']);
    const sets = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dundo')).body.items;
    expect(sets).toHaveLength(4);
  });

  it('after a broken deploy, undo scales the old ReplicaSet back up without a new rollout', async () => {
    sb.setFailImage(/:broken$/);
    await kubectl(sb, ['-n', 'shop', 'set', 'image', 'deploy/undo', 'undo=localhost:5000/ecp-ai/undo:broken']);
    settle();
    const before = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dundo')).body.items.length;
    expect((await kubectl(sb, ['-n', 'shop', 'rollout', 'undo', 'deploy/undo'])).code).toBe(0);
    settle();
    sb.setFailImage(undefined);
    expect(await image('undo')).toBe('localhost:5000/ecp-ai/undo:v3');
    const sets = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dundo')).body.items;
    expect(sets).toHaveLength(before);
    const d = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/undo')).body;
    expect(d.status).toMatchObject({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
  });
});

describe('events, pod states and deletion', () => {
  const step = (seconds: number) => {
    for (let i = 0; i < seconds; i++) clock.advance(1000);
  };
  const podOf = async (app: string) => (await call(sb, 'GET', `/api/v1/namespaces/shop/pods?labelSelector=app%3D${app}`)).body.items[0];

  it('records ScalingReplicaSet and the pod lifecycle, which get events and describe show', async () => {
    await kubectl(sb, ['create', 'deployment', 'ev', '-n', 'shop', '--image=localhost:5000/ecp-ai/ev:v1', '--replicas=2']);
    step(3);
    const rs = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dev')).body.items[0].metadata.name;
    const list = await kubectl(sb, ['get', 'events', '-n', 'shop', '--field-selector', 'involvedObject.name=ev']);
    expect(list.stdout).toMatch(new RegExp(`^LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE\\n3s\\s+Normal\\s+ScalingReplicaSet\\s+deployment/ev\\s+Scaled up replica set ${rs} from 0 to 2\\n$`));
    const describe = await kubectl(sb, ['describe', 'deploy', 'ev', '-n', 'shop']);
    expect(describe.stdout).toMatch(
      new RegExp(
        `Events:\\n  Type    Reason             Age   From                   Message\\n  ----    ------             ----  ----                   -------\\n  Normal  ScalingReplicaSet  \\S+\\s+deployment-controller  Scaled up replica set ${rs} from 0 to 2\\n$`,
      ),
    );
    const pod = (await podOf('ev')).metadata.name;
    const podEvents = await kubectl(sb, ['describe', 'pod', pod, '-n', 'shop']);
    const reasons = [...podEvents.stdout.split('Events:')[1]!.matchAll(/^  Normal\s+(\w+)\s+\S+\s+(\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(reasons).toEqual(['Scheduled default-scheduler', 'Pulling kubelet', 'Pulled kubelet', 'Created kubelet', 'Started kubelet']);
  });

  it('takes a pod that cannot pull through ErrImagePull to ImagePullBackOff, counting the retries', async () => {
    sb.setFailImage(/:broken$/);
    await kubectl(sb, ['create', 'deployment', 'bad', '-n', 'shop', '--image=localhost:5000/ecp-ai/bad:broken']);
    clock.advance(0);
    const status = async () => (await kubectl(sb, ['get', 'pods', '-n', 'shop', '-l', 'app=bad', '--no-headers'])).stdout.split(/\s+/)[2];
    expect(await status()).toBe('ContainerCreating');
    step(1);
    expect(await status()).toBe('ErrImagePull');
    step(1);
    expect(await status()).toBe('ImagePullBackOff');
    step(40);
    const pod = (await podOf('bad')).metadata.name;
    const describe = await kubectl(sb, ['describe', 'pod', pod, '-n', 'shop']);
    expect(describe.stdout).toMatch(/  Normal   BackOff    \S+ \(x3 over \S+\)\s+kubelet\s+Back-off pulling image "localhost:5000\/ecp-ai\/bad:broken"/);
    expect(describe.stdout).toMatch(/  Warning  Failed     \S+ \(x3 over \S+\)\s+kubelet\s+Error: ErrImagePull/);
    sb.setFailImage(undefined);
    clock.advance(0);
    expect(await status()).toBe('Running');
  });

  it('runs a bare kubectl run pod, and shows a deleted pod Terminating until its kubelet stops it', async () => {
    expect((await kubectl(sb, ['run', 'solo', '-n', 'shop', '--image=localhost:5000/ecp-ai/solo:v1'])).stdout).toBe('pod/solo created\n');
    step(1);
    expect((await kubectl(sb, ['get', 'pod', 'solo', '-n', 'shop', '--no-headers'])).stdout).toMatch(/^solo\s+1\/1\s+Running\s+0\s+1s\n$/);
    expect((await kubectl(sb, ['delete', 'pod', 'solo', '-n', 'shop', '--wait=false'])).stdout).toBe('pod "solo" deleted\n');
    expect((await kubectl(sb, ['get', 'pod', 'solo', '-n', 'shop', '--no-headers'])).stdout).toMatch(/^solo\s+1\/1\s+Terminating\s+0\s+1s\n$/);
    step(1);
    expect((await kubectl(sb, ['get', 'pod', 'solo', '-n', 'shop'])).stderr).toBe('Error from server (NotFound): pods "solo" not found\n');
  });

  it('keeps a deleted namespace Terminating, refusing new content, until it is emptied', async () => {
    await kubectl(sb, ['create', 'ns', 'doomed']);
    await kubectl(sb, ['create', 'configmap', 'left', '-n', 'doomed']);
    expect((await kubectl(sb, ['delete', 'ns', 'doomed', '--wait=false'])).stdout).toBe('namespace "doomed" deleted\n');
    expect((await kubectl(sb, ['get', 'ns', 'doomed', '--no-headers'])).stdout).toMatch(/^doomed\s+Terminating\s+\S+\n$/);
    const refused = await kubectl(sb, ['create', 'configmap', 'late', '-n', 'doomed']);
    expect(refused.stderr).toBe('error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated\n');
    clock.advance(0);
    expect((await kubectl(sb, ['get', 'ns', 'doomed'])).stderr).toBe('Error from server (NotFound): namespaces "doomed" not found\n');
  });
});

describe('smaller answers a real server gives', () => {
  it('answers a body over 3 MiB with 413 instead of resetting the connection', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'x'.repeat(3 * 1024 * 1024) } });
    const reply = await call(sb, 'POST', '/api/v1/namespaces/shop/configmaps', big);
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728', code: 413 });
  });

  it('refuses to delete a namespaced collection across all namespaces, or the namespaces, with 405', async () => {
    const reply = await call(sb, 'DELETE', '/apis/apps/v1/deployments');
    expect(reply).toMatchObject({ status: 405, body: { reason: 'MethodNotAllowed' } });
    expect(await exists('/apis/apps/v1/namespaces/shop/deployments/advisor')).toBe(true);
    expect((await call(sb, 'DELETE', '/api/v1/namespaces')).status).toBe(405);
    expect(await exists('/api/v1/namespaces/default')).toBe(true);
  });

  it('answers kubectl auth can-i and auth whoami for the sandbox user', async () => {
    expect(await kubectl(sb, ['auth', 'can-i', 'delete', 'deployments', '-n', 'shop'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    const list = await kubectl(sb, ['auth', 'can-i', '--list', '-n', 'shop']);
    expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\n\s+\[\*\]\s+\[\]\s+\[\*\]\n$/);
    const whoami = await kubectl(sb, ['auth', 'whoami']);
    expect(whoami).toMatchObject({ code: 0 });
    expect(whoami.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+ecp-sandbox\nGroups\s+\[system:masters system:authenticated\]\n$/);
  });

  it('gives NodePort and LoadBalancer Services node ports, and a LoadBalancer a pending external IP', async () => {
    await kubectl(sb, ['create', 'service', 'nodeport', 'np', '-n', 'shop', '--tcp=80:8080']);
    await kubectl(sb, ['create', 'service', 'loadbalancer', 'lb', '-n', 'shop', '--tcp=443:8443']);
    const r = await kubectl(sb, ['get', 'svc', 'np', 'lb', '-n', 'shop', '--no-headers']);
    const [np, lb] = r.stdout.trim().split('\n');
    expect(np).toMatch(/^np\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\S+$/);
    expect(lb).toMatch(/^lb\s+LoadBalancer\s+10\.96\.\d+\.\d+\s+<pending>\s+443:3\d{4}\/TCP\s+\S+$/);
  });

  it('answers a kind it does not serve as a cluster without it: no matches for kind', async () => {
    const file = path.join(work, 'job.yaml');
    writeFileSync(file, 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: shop}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}\n');
    const r = await kubectl(sb, ['apply', '-f', file]);
    expect(r).toMatchObject({
      code: 1,
      stderr: `error: resource mapping not found for name: "once" namespace: "shop" from "${file}": no matches for kind "Job" in version "batch/v1"\nensure CRDs are installed first\n`,
    });
  });
});

describe('StatefulSets', () => {
  const statefulSet = (name: string, replicas: number, strategy = '') => workloadYaml('StatefulSet', name, { namespace: 'shop', replicas, spec: `  serviceName: ${name}\n${strategy}` });
  const step = (seconds: number) => {
    for (let i = 0; i < seconds; i++) clock.advance(1000);
  };
  const podRevisions = async (app: string) => {
    const items = (await call(sb, 'GET', `/api/v1/namespaces/shop/pods?labelSelector=app%3D${app}`)).body.items.filter((p: any) => !p.metadata.deletionTimestamp);
    return Object.fromEntries(items.map((p: any) => [p.metadata.name, p.spec.containers[0].image.split(':').pop()]));
  };
  const apply = (file: string, text: string) => {
    writeFileSync(path.join(work, file), text);
    return kubectl(sb, ['apply', '-f', file], work);
  };

  it('creates ordered pods one at a time and reports the rollout as kubectl rollout status reads it', async () => {
    expect((await apply('db.yaml', statefulSet('db', 3))).stdout).toBe('statefulset.apps/db created\n');
    clock.advance(0);
    expect(Object.keys(await podRevisions('db'))).toEqual(['db-0']);
    step(6);
    expect(await podRevisions('db')).toEqual({ 'db-0': 'v1', 'db-1': 'v1', 'db-2': 'v1' });
    const status = await kubectl(sb, ['rollout', 'status', 'sts/db', '-n', 'shop', '--timeout=5s']);
    // The server defaults partition to 0, so kubectl takes its partitioned branch, as on a real cluster.
    expect(status).toMatchObject({ code: 0, stdout: 'partitioned roll out complete: 3 new pods have been updated...\n' });
    expect((await kubectl(sb, ['get', 'sts', 'db', '-n', 'shop', '--no-headers'])).stdout).toMatch(/^db\s+3\/3\s+\S+\n$/);
    const pod = (await call(sb, 'GET', '/api/v1/namespaces/shop/pods/db-1')).body;
    const sts = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/statefulsets/db')).body;
    expect(pod.metadata.labels['controller-revision-hash']).toBe(sts.status.updateRevision);
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: sts.status.updateRevision });
  });

  it('rolls an update from the highest ordinal down, and stops at the partition', async () => {
    await kubectl(sb, ['-n', 'shop', 'patch', 'sts', 'db', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}']);
    await kubectl(sb, ['-n', 'shop', 'set', 'image', 'sts/db', 'db=localhost:5000/ecp-ai/db:v2']);
    clock.advance(0);
    // The highest ordinal goes first (Terminating), to come back at the new revision.
    expect(await podRevisions('db')).toEqual({ 'db-0': 'v1', 'db-1': 'v1' });
    step(10);
    expect(await podRevisions('db')).toEqual({ 'db-0': 'v1', 'db-1': 'v2', 'db-2': 'v2' });
    const sts = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/statefulsets/db')).body;
    expect(sts.status).toMatchObject({ replicas: 3, currentReplicas: 1, updatedReplicas: 2 });
    expect(sts.status.currentRevision).not.toBe(sts.status.updateRevision);
    const partitioned = await kubectl(sb, ['rollout', 'status', 'sts/db', '-n', 'shop', '--timeout=5s']);
    expect(partitioned.stdout).toBe('partitioned roll out complete: 2 new pods have been updated...\n');

    await kubectl(sb, ['-n', 'shop', 'patch', 'sts', 'db', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
    step(10);
    expect(await podRevisions('db')).toEqual({ 'db-0': 'v2', 'db-1': 'v2', 'db-2': 'v2' });
    const done = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/statefulsets/db')).body;
    expect(done.status.currentRevision).toBe(done.status.updateRevision);
    const history = await kubectl(sb, ['rollout', 'history', 'sts/db', '-n', 'shop']);
    expect(revisionsOf(history.stdout)).toEqual(['1', '2']);
  });

  it('rolls back with rollout undo to the earlier ControllerRevision', async () => {
    expect((await kubectl(sb, ['-n', 'shop', 'rollout', 'undo', 'sts/db'])).stdout).toBe('statefulset.apps/db rolled back\n');
    step(12);
    expect(await podRevisions('db')).toEqual({ 'db-0': 'v1', 'db-1': 'v1', 'db-2': 'v1' });
    const history = await kubectl(sb, ['rollout', 'history', 'sts/db', '-n', 'shop']);
    expect(revisionsOf(history.stdout)).toEqual(['2', '3']);
  });

  it('reports states Argo CD judges as it would on a real cluster', async () => {
    const health = async () => statefulSetHealth((await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/statefulsets/db')).body);
    expect(await health()).toEqual({ status: 'Healthy', message: 'partitioned roll out complete: 3 new pods have been updated...' });
    await kubectl(sb, ['-n', 'shop', 'set', 'image', 'sts/db', 'db=localhost:5000/ecp-ai/db:v3']);
    clock.advance(0);
    expect((await health()).status).toBe('Progressing');
    step(12);
    expect(await health()).toEqual({ status: 'Healthy', message: 'partitioned roll out complete: 3 new pods have been updated...' });
  });

  it('OnDelete replaces a pod only when it is deleted', async () => {
    await apply('cache.yaml', statefulSet('cache', 2, '  updateStrategy: {type: OnDelete}\n  podManagementPolicy: Parallel\n'));
    step(2);
    expect(await podRevisions('cache')).toEqual({ 'cache-0': 'v1', 'cache-1': 'v1' });
    await kubectl(sb, ['-n', 'shop', 'set', 'image', 'sts/cache', 'cache=localhost:5000/ecp-ai/cache:v2']);
    step(5);
    expect(await podRevisions('cache')).toEqual({ 'cache-0': 'v1', 'cache-1': 'v1' });
    await kubectl(sb, ['-n', 'shop', 'delete', 'pod', 'cache-1', '--wait=false']);
    step(3);
    expect(await podRevisions('cache')).toEqual({ 'cache-0': 'v1', 'cache-1': 'v2' });
    const sts = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/statefulsets/cache')).body;
    expect(sts.status).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 1, updatedReplicas: 1 });
  });
});

describe('seeding a StatefulSet', () => {
  it('starts it rolled out: every pod running at the update revision, no events; objects decoded as a server would', async () => {
    const manifests = path.join(work, 'seed');
    mkdirSync(path.join(manifests, 'tenant'), { recursive: true });
    writeFileSync(
      path.join(manifests, 'tenant', 'db.yaml'),
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: "localhost:5000/ecp-ai/db:v1"}]}\n',
    );
    writeFileSync(path.join(manifests, 'tenant', 'web.yaml'), workloadYaml('Deployment', 'web', { spec: '  replica: 2\n' }));
    writeFileSync(path.join(manifests, 'tenant', 'bad.yaml'), workloadYaml('Deployment', 'bad', { container: '        ports: [{containerPort: http}]\n' }));
    const seeded = await sandbox({ clock: new ManualClock(), seed: manifests });
    // Seeded as a real server would have taken them: unknown fields dropped, a wrong type kept out.
    expect((await call(seeded, 'GET', '/apis/apps/v1/namespaces/tenant/deployments/web')).body.spec.replica).toBeUndefined();
    expect((await call(seeded, 'GET', '/apis/apps/v1/namespaces/tenant/deployments/bad')).status).toBe(404);
    const sts = (await call(seeded, 'GET', '/apis/apps/v1/namespaces/tenant/statefulsets/db')).body;
    expect(sts.status).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: sts.status.updateRevision });
    expect((await kubectl(seeded, ['get', 'pods', '-n', 'tenant', '--no-headers', '-l', 'app=db'])).stdout).toMatch(/^db-0\s+1\/1\s+Running\s+0\s+0s\ndb-1\s+1\/1\s+Running\s+0\s+0s\n$/);
    expect((await call(seeded, 'GET', '/api/v1/namespaces/tenant/events')).body.items).toEqual([]);
  });
});

describe('kubectl explain', () => {
  it('finds each served kind in the OpenAPI v3 schemas, with its fields and their types', async () => {
    const replicas = await kubectl(sb, ['explain', 'deploy.spec.replicas']);
    expect(replicas).toMatchObject({ code: 0 });
    expect(replicas.stdout).toMatch(/^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: replicas <integer>\n/);
    const ports = await kubectl(sb, ['explain', 'pods.spec.containers.ports']);
    expect(ports.stdout).toMatch(/FIELD: ports <\[\]ContainerPort>/);
    expect(ports.stdout).toMatch(/containerPort\t<integer>/);
    expect((await kubectl(sb, ['explain', 'sts.spec.updateStrategy'])).stdout).toMatch(/rollingUpdate\t<RollingUpdateStatefulSetStrategy>/);
  });
});

describe('event lifetime', () => {
  it('lets an Event go an hour after it was last recorded, as the API server does', async () => {
    const ttlClock = new ManualClock();
    const short = await sandbox({ clock: ttlClock, namespaces: ['ttl'] });
    await kubectl(short, ['create', 'deployment', 'old', '-n', 'ttl', '--image=localhost:5000/ecp-ai/old:v1']);
    ttlClock.advance(2000);
    const names = async () => (await call(short, 'GET', '/api/v1/namespaces/ttl/events')).body.items.map((e: any) => e.involvedObject.name as string);
    expect(await names()).toContain('old');
    ttlClock.advance(3_600_000);
    await kubectl(short, ['create', 'deployment', 'new', '-n', 'ttl', '--image=localhost:5000/ecp-ai/new:v1']);
    ttlClock.advance(0);
    const left = await names();
    expect(left).toContain('new');
    expect(left).not.toContain('old');
  });
});

describe('foreground deletion', () => {
  it('keeps the owner, Pending deletion to Argo CD, until its pods and ReplicaSet are gone', async () => {
    await kubectl(sb, ['create', 'deployment', 'fg', '-n', 'shop', '--image=localhost:5000/ecp-ai/fg:v1']);
    for (let i = 0; i < 3; i++) clock.advance(1000);
    const r = await kubectl(sb, ['delete', 'deploy', 'fg', '-n', 'shop', '--cascade=foreground', '--wait=false']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps "fg" deleted\n' });
    const marked = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/fg')).body;
    expect(marked.metadata).toMatchObject({ finalizers: ['foregroundDeletion'] });
    expect(deploymentHealth(marked)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
    for (let i = 0; i < 3; i++) clock.advance(1000);
    expect(await exists('/apis/apps/v1/namespaces/shop/deployments/fg')).toBe(false);
    expect((await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dfg')).body.items).toEqual([]);
    expect((await call(sb, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dfg')).body.items).toEqual([]);
  });
});

describe('kubectl logs', () => {
  it('answers a running container with lines naming it, and a waiting one with the kubelet text', async () => {
    await kubectl(sb, ['run', 'logged', '-n', 'shop', '--image=localhost:5000/ecp-ai/logged:v1']);
    const waiting = await kubectl(sb, ['logs', 'logged', '-n', 'shop']);
    expect(waiting).toMatchObject({ code: 1, stderr: 'Error from server (BadRequest): container "logged" in pod "logged" is waiting to start: ContainerCreating\n' });
    clock.advance(1000);
    const running = await kubectl(sb, ['logs', 'logged', '-n', 'shop']);
    expect(running).toMatchObject({ code: 0, stdout: 'ecp sandbox: localhost:5000/ecp-ai/logged:v1 running as logged/logged (the sandbox runs no processes)\nlogged: started\nlogged: ready\n' });
    sb.setFailImage(/:broken$/);
    await kubectl(sb, ['run', 'unpulled', '-n', 'shop', '--image=localhost:5000/ecp-ai/unpulled:broken']);
    clock.advance(1000);
    const failing = await kubectl(sb, ['logs', 'unpulled', '-n', 'shop']);
    sb.setFailImage(undefined);
    expect(failing.stderr).toBe('Error from server (BadRequest): container "unpulled" in pod "unpulled" is waiting to start: trying and failing to pull image\n');
  });
});

describe('endpoints', () => {
  it('lists the ready pods a Service selects, in Endpoints and the EndpointSlice describe reads', async () => {
    await kubectl(sb, ['create', 'deployment', 'api', '-n', 'shop', '--image=localhost:5000/ecp-ai/api:v1', '--replicas=2', '--port=8080']);
    await kubectl(sb, ['create', 'service', 'clusterip', 'api', '-n', 'shop', '--tcp=80:8080']);
    for (let i = 0; i < 3; i++) clock.advance(1000);
    const ips = (await call(sb, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dapi')).body.items.map((p: any) => `${p.status.podIP}:8080`).sort();
    const ep = await kubectl(sb, ['get', 'endpoints', 'api', '-n', 'shop', '--no-headers']);
    expect(ep.stdout.split(/\s+/)[1]!.split(',').sort()).toEqual(ips);
    const describe = await kubectl(sb, ['describe', 'svc', 'api', '-n', 'shop']);
    expect(describe.stdout).toMatch(/\nEndpoints:\s+(10\.244\.\d+\.\d+:8080,?){2}\n/);
    await kubectl(sb, ['delete', 'svc', 'api', '-n', 'shop']);
    expect((await call(sb, 'GET', '/api/v1/namespaces/shop/endpoints/api')).status).toBe(404);
    expect((await call(sb, 'GET', '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dapi')).body.items).toEqual([]);
  });
});

describe('what the first differential run against a real control plane found', () => {
  const write = (file: string, text: string) => {
    writeFileSync(path.join(work, file), text);
    return file;
  };
  const get = async (name: string) => (await call(sb, 'GET', `/apis/apps/v1/namespaces/shop/deployments/${name}`)).body;

  it('prints creationTimestamp: null in a template, as Go encodes an empty metav1.Time, without changing the template hash', async () => {
    await kubectl(sb, ['create', 'deployment', 'nulls', '-n', 'shop', '--image=localhost:5000/ecp-ai/nulls:v1']);
    clock.advance(5000);
    const yaml = (await kubectl(sb, ['get', 'deploy', 'nulls', '-n', 'shop', '-o', 'yaml'])).stdout;
    expect(yaml).toMatch(/ {2}template:\n {4}metadata:\n {6}creationTimestamp: null\n/);
    const sets = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dnulls')).body.items;
    expect(sets).toHaveLength(1);
    expect(sets[0].spec.template.metadata).toHaveProperty('creationTimestamp', null);
    // A patch that only restates the null (as rollout undo's does) is no change.
    const same = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'nulls', '-p', '{"spec":{"template":{"metadata":{"creationTimestamp":null}}}}']);
    expect(same.stdout).toBe('deployment.apps/nulls patched (no change)\n');
  });

  it('folds an explicit zero of a non-pointer field away (omitempty), so restating a default is no change', async () => {
    const before = await get('advisor');
    const zero = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '--type', 'json', '-p', '[{"op":"add","path":"/spec/minReadySeconds","value":0}]']);
    expect(zero).toMatchObject({ code: 0, stdout: 'deployment.apps/advisor patched (no change)\n' });
    const unpaused = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '--type', 'merge', '-p', '{"spec":{"paused":false}}']);
    expect(unpaused.stdout).toBe('deployment.apps/advisor patched (no change)\n');
    const after = await get('advisor');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).not.toHaveProperty('minReadySeconds');
    // Pointer fields keep an explicit zero, and an empty env value goes as omitempty drops it.
    const file = write('zeros.yaml', workloadYaml('Deployment', 'zeros', { namespace: 'shop', replicas: 0, container: '        env: [{name: A, value: ""}]\n' }));
    expect((await kubectl(sb, ['apply', '-f', file], work)).code).toBe(0);
    const zeros = await get('zeros');
    expect(zeros.spec.replicas).toBe(0);
    expect(zeros.spec.template.spec.containers[0].env).toEqual([{ name: 'A' }]);
  });

  it('takes a JSON patch that replaces an unknown field: the field is dropped with a warning, no change', async () => {
    const r = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/nosuch","value":1}]']);
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps/advisor patched (no change)\n', stderr: 'Warning: unknown field "spec.nosuch"\n' });
    // A list index that is not there still does not apply.
    const index = await kubectl(sb, ['-n', 'shop', 'patch', 'deploy', 'advisor', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/5","value":{}}]']);
    expect(index.code).toBe(1);
  });

  it('rewrites the client-side last-applied annotation on a kubectl server-side apply, from the applied config', async () => {
    const file = write('lastapplied.yaml', workloadYaml('Deployment', 'lastapplied', { namespace: 'shop', spec: '  minReadySeconds: 0\n' }));
    expect((await kubectl(sb, ['apply', '-f', file], work)).code).toBe(0);
    const annotation = async () => (await get('lastapplied')).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    expect(await annotation()).toContain('"annotations":{}');
    expect((await kubectl(sb, ['apply', '--server-side', '-f', file], work)).code).toBe(0);
    const rewritten = await annotation();
    expect(rewritten).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"lastapplied","namespace":"shop"},"spec":{"minReadySeconds":0,"selector":{"matchLabels":{"app":"lastapplied"}},"template":{"metadata":{"labels":{"app":"lastapplied"}},"spec":{"containers":[{"image":"localhost:5000/ecp-ai/lastapplied:v1","name":"lastapplied"}]}}}}\n',
    );
    // Another field manager leaves it alone, as the API server only syncs it for kubectl.
    const other = await kubectl(sb, ['apply', '--server-side', '--field-manager', 'someone', '--force-conflicts', '-f', file], work);
    expect(other.code).toBe(0);
    expect(await annotation()).toBe(rewritten);
  });
});

describe('what the second differential run found', () => {
  it("bumps a Deployment's generation for an annotation, as its strategy does, but not for a label or its revision", async () => {
    const generation = async () => (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/advisor')).body.metadata.generation;
    const start = await generation();
    await kubectl(sb, ['-n', 'shop', 'label', 'deploy/advisor', 'tier=front']);
    expect(await generation()).toBe(start);
    await kubectl(sb, ['-n', 'shop', 'annotate', 'deploy/advisor', 'owner=sre']);
    expect(await generation()).toBe(start + 1);
    await kubectl(sb, ['-n', 'shop', 'set', 'image', 'deploy/advisor', 'advisor=localhost:5000/ecp-ai/advisor:v2']);
    for (let i = 0; i < 30; i++) clock.advance(1000);
    const d = (await call(sb, 'GET', '/apis/apps/v1/namespaces/shop/deployments/advisor')).body;
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.metadata.generation).toBe(start + 2);
    expect(d.status.observedGeneration).toBe(start + 2);
  });
});
