/**
 * Faithfulness: the real kubectl on PATH against the sandbox, each command checked for the
 * output and exit code a real cluster gives (KUBE-API-NOTES.md). The ManualClock keeps
 * rollouts still until the test moves time, so every run sees the same states.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { call, kubectl, sandbox, workloadYaml, type KubectlResult } from './helpers.js';

const STEP = 1000;
let sb: Awaited<ReturnType<typeof sandbox>>;
let clock: ManualClock;
let work: string;

const manifest = (name: string, replicas: number, namespace?: string) => workloadYaml('Deployment', name, { replicas, namespace, labels: true });

beforeAll(async () => {
  work = tempDir('ecp-kubectl-');
  const manifests = path.join(work, 'k8s-manifests');
  mkdirSync(path.join(manifests, 'acme'), { recursive: true });
  mkdirSync(path.join(manifests, 'beta'), { recursive: true });
  writeFileSync(
    path.join(manifests, 'acme', 'services.yaml'),
    `${manifest('callbot', 3)}---\n${manifest('chatbot', 1)}---\napiVersion: v1\nkind: Service\nmetadata: {name: callbot}\nspec: {ports: [{port: 80}]}\n`,
  );
  writeFileSync(path.join(manifests, 'beta', 'advisor.yaml'), manifest('advisor', 1, 'beta-prod'));
  clock = new ManualClock();
  sb = await sandbox({ clock, seed: manifests });
});

/** Runs kubectl while stepping the clock, once kubectl's watch is open, until it exits. */
async function whileStepping(args: string[]): Promise<KubectlResult> {
  const watchesBefore = sb.requestCount({ verb: 'watch' });
  let done = false;
  const run = kubectl(sb, args).finally(() => (done = true));
  await waitUntil(() => done || sb.requestCount({ verb: 'watch' }) > watchesBefore, "kubectl's watch is open");
  // The clock moves a step at a time while kubectl runs, as a real rollout's would.
  for (let i = 0; i < 200 && !done; i++) {
    clock.advance(STEP);
    await sleep(15);
  }
  return run;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kubectl against the sandbox', () => {
  it('get deploy -A prints the server-side table for every namespace', async () => {
    const r = await kubectl(sb, ['get', 'deploy', '-A']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'NAMESPACE   NAME      READY   UP-TO-DATE   AVAILABLE   AGE',
        'acme        callbot   3/3     3            3           0s',
        'acme        chatbot   1/1     1            1           0s',
        'beta-prod   advisor   1/1     1            1           0s',
        '',
      ].join('\n'),
    );
    const wide = await kubectl(sb, ['get', 'deploy', '-n', 'acme', '-o', 'wide', 'callbot']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(wide.stdout.split('\n')[1]).toMatch(/^callbot\s+3\/3\s+3\s+3\s+0s\s+callbot\s+localhost:5000\/ecp-ai\/callbot:v1\s+app=callbot$/);
    const pods = await kubectl(sb, ['get', 'pods', '-n', 'acme', '-l', 'app=chatbot']);
    expect(pods.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nchatbot-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+0s\n$/);
  });

  it('get deploy -n T -o json prints a List of full Deployments', async () => {
    const r = await kubectl(sb, ['get', 'deploy', '-n', 'acme', '-o', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((d: any) => `${d.kind}/${d.metadata.name}`)).toEqual(['Deployment/callbot', 'Deployment/chatbot']);
    expect(list.items[0].status).toMatchObject({ replicas: 3, availableReplicas: 3 });
  });

  it('set image, then rollout status follows the rollout to the end', async () => {
    const set = await kubectl(sb, ['-n', 'acme', 'set', 'image', 'deploy/callbot', 'callbot=localhost:5000/ecp-ai/callbot:v2']);
    expect(set).toMatchObject({ code: 0, stdout: 'deployment.apps/callbot image updated\n' });
    const unchanged = await kubectl(sb, ['-n', 'acme', 'set', 'image', 'deploy/callbot', 'callbot=localhost:5000/ecp-ai/callbot:v2']);
    expect(unchanged).toMatchObject({ code: 0, stdout: '' });

    const r = await whileStepping(['-n', 'acme', 'rollout', 'status', 'deploy/callbot', '--timeout=20s']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('Waiting for deployment spec update to be observed...');
    expect(lines).toContain('Waiting for deployment "callbot" rollout to finish: 1 old replicas are pending termination...');
    expect(lines[lines.length - 1]).toBe('deployment "callbot" successfully rolled out');
  });

  it('rollout status fails once a broken image exceeds the progress deadline', async () => {
    sb.setFailImage(/:broken$/);
    await kubectl(sb, ['-n', 'acme', 'patch', 'deploy', 'chatbot', '--type', 'merge', '-p', '{"spec":{"progressDeadlineSeconds":5}}']);
    await kubectl(sb, ['-n', 'acme', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:broken']);
    const r = await whileStepping(['-n', 'acme', 'rollout', 'status', 'deploy/chatbot', '--timeout=20s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: deployment "chatbot" exceeded its progress deadline\n');
    const pods = await kubectl(sb, ['get', 'pods', '-n', 'acme', '-l', 'app=chatbot']);
    // The kubelet retries the pull with a back-off, so the pod is between two attempts or in one.
    expect(pods.stdout).toMatch(/chatbot-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+(ImagePullBackOff|ErrImagePull)\s+0\s+\d+s/);
    sb.setFailImage(undefined);
  });

  it('replace --subresource=status -f writes the status (validation on), and a stale copy gets the Conflict text', async () => {
    const dump = await kubectl(sb, ['get', 'deploy', 'advisor', '-n', 'beta-prod', '-o', 'json']);
    const d = JSON.parse(dump.stdout);
    d.status.readyReplicas = 0;
    d.spec.replicas = 5;
    writeFileSync(path.join(work, 'advisor-status.json'), JSON.stringify(d));
    const r = await kubectl(sb, ['replace', '--subresource=status', '-f', 'advisor-status.json'], work);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/advisor replaced\n' });
    const stored = (await call(sb, 'GET', '/apis/apps/v1/namespaces/beta-prod/deployments/advisor')).body;
    // 0 is not stored: readyReplicas is omitempty, as on a real server.
    expect(stored.status).not.toHaveProperty('readyReplicas');
    expect(stored.spec.replicas).toBe(1);
    expect(sb.requestCount({ verb: 'update', subresource: 'status', name: 'advisor' })).toBe(1);

    const stale = await kubectl(sb, ['replace', '--subresource=status', '-f', 'advisor-status.json'], work);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      'Error from server (Conflict): error when replacing "advisor-status.json": Operation cannot be fulfilled on deployments.apps "advisor": the object has been modified; please apply your changes to the latest version and try again\n',
    );
  });

  it('apply --server-side creates and updates, reports a conflict with another manager, and --force-conflicts wins', async () => {
    writeFileSync(path.join(work, 'newbot.yaml'), manifest('newbot', 2, 'acme'));
    const created = await kubectl(sb, ['apply', '--server-side', '-f', 'newbot.yaml'], work);
    expect(created).toMatchObject({ code: 0, stdout: 'deployment.apps/newbot serverside-applied\n' });
    expect(sb.requests({ verb: 'patch', name: 'newbot' })[0]).toMatchObject({ code: 201, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'kubectl', force: 'false' } });
    const again = await kubectl(sb, ['apply', '--server-side', '-f', 'newbot.yaml'], work);
    expect(again).toMatchObject({ code: 0, stdout: 'deployment.apps/newbot serverside-applied\n' });

    await kubectl(sb, ['-n', 'acme', 'set', 'image', 'deploy/newbot', 'newbot=localhost:5000/ecp-ai/newbot:v2']);
    const conflict = await kubectl(sb, ['apply', '--server-side', '-f', 'newbot.yaml'], work);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr.split('\n')[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="newbot"].image');
    const forced = await kubectl(sb, ['apply', '--server-side', '--force-conflicts', '-f', 'newbot.yaml'], work);
    expect(forced).toMatchObject({ code: 0, stdout: 'deployment.apps/newbot serverside-applied\n' });
    const image = await kubectl(sb, ['get', 'deploy', 'newbot', '-n', 'acme', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image.stdout).toBe('localhost:5000/ecp-ai/newbot:v1');
  });

  it('client-side apply, patch and create print what a real cluster makes them print', async () => {
    writeFileSync(path.join(work, 'csa.yaml'), manifest('csa', 1, 'acme'));
    expect((await kubectl(sb, ['apply', '-f', 'csa.yaml'], work)).stdout).toBe('deployment.apps/csa created\n');
    expect((await kubectl(sb, ['apply', '-f', 'csa.yaml'], work)).stdout).toBe('deployment.apps/csa unchanged\n');
    writeFileSync(path.join(work, 'csa.yaml'), manifest('csa', 2, 'acme'));
    expect((await kubectl(sb, ['apply', '-f', 'csa.yaml'], work)).stdout).toBe('deployment.apps/csa configured\n');
    const exists = await kubectl(sb, ['create', '-f', 'csa.yaml'], work);
    expect(exists).toMatchObject({ code: 1, stderr: 'Error from server (AlreadyExists): error when creating "csa.yaml": deployments.apps "csa" already exists\n' });

    const paused = await kubectl(sb, ['-n', 'acme', 'patch', 'deploy', 'csa', '--type', 'merge', '-p', '{"spec":{"paused":true}}']);
    expect(paused.stdout).toBe('deployment.apps/csa patched\n');
    const noChange = await kubectl(sb, ['-n', 'acme', 'patch', 'deploy', 'csa', '--type', 'merge', '-p', '{"spec":{"paused":true}}']);
    expect(noChange.stdout).toBe('deployment.apps/csa patched (no change)\n');
    const bad = await kubectl(sb, ['-n', 'acme', 'patch', 'deploy', 'csa', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/nosuch"}]']);
    // A real server keeps json-patch's own error in its log and answers the generic 422 text.
    expect(bad).toMatchObject({ code: 1, stderr: 'The request is invalid: the server rejected our request due to an error in our request\n' });
  });

  it('delete removes the Deployment with what it owns', async () => {
    const r = await kubectl(sb, ['delete', 'deploy', 'csa', '-n', 'acme']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps "csa" deleted\n' });
    expect((await call(sb, 'GET', '/apis/apps/v1/namespaces/acme/replicasets?labelSelector=app%3Dcsa')).body.items).toEqual([]);
  });

  it('serves the Services of the seeded manifests, and ConfigMaps through apply', async () => {
    const svc = await kubectl(sb, ['get', 'svc', '-n', 'acme']);
    expect(svc.code).toBe(0);
    expect(svc.stdout).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\ncallbot\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+\n$/);
    const file = path.join(work, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: acme}\ndata: {LOG_LEVEL: info, REGION: kr}\n');
    expect((await kubectl(sb, ['apply', '--server-side', '-f', file])).stdout).toBe('configmap/settings serverside-applied\n');
    expect((await kubectl(sb, ['get', 'cm', 'settings', '-n', 'acme'])).stdout).toMatch(/^NAME\s+DATA\s+AGE\nsettings\s+2\s+/);
  });

  it('prints the real error texts for a missing deployment and a missing namespace', async () => {
    const [get, status, setImage, noNamespace, emptyList] = await Promise.all([
      kubectl(sb, ['get', 'deploy', 'ghost', '-n', 'acme']),
      kubectl(sb, ['rollout', 'status', 'deploy/ghost', '-n', 'acme']),
      kubectl(sb, ['set', 'image', 'deploy/ghost', 'ghost=x:1', '-n', 'acme']),
      kubectl(sb, ['get', 'deploy', 'ghost', '-n', 'nons']),
      kubectl(sb, ['get', 'deploy', '-n', 'nons']),
    ]);
    const notFound = 'Error from server (NotFound): deployments.apps "ghost" not found\n';
    expect(get).toMatchObject({ code: 1, stdout: '', stderr: notFound });
    expect(status).toMatchObject({ code: 1, stderr: notFound });
    expect(setImage).toMatchObject({ code: 1, stderr: notFound });
    expect(noNamespace).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): namespaces "nons" not found\n' });
    expect(emptyList).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in nons namespace.\n' });
  });
});
