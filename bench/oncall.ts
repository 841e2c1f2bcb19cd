/**
 * On-call figures (issue 15), on the sandbox and — where scripts/kube-env.sh runs it — the real
 * control plane:
 *   - Degraded → console: the console (in-process, its real LiveStateWatcher and refresh loop,
 *     rendered by Ink at 120×35) showing a Deployment Degraded, from the moment ecp's health
 *     rule could call it so — a pod of its new image in ErrImagePull / ImagePullBackOff, as a
 *     watch of this bench sees it. `kubectl set image` to an image that never pulls, 5 times,
 *     back to the good image in between. Target ≤ 1 s.
 *   - `ecp --once` against a hung API server (one that accepts connections and never answers, as
 *     a SIGSTOPped one): the time to its exit 2. Target ≤ 15 s.
 *
 *   npm run bench oncall                      # the sandbox
 *   scripts/kube-env.sh npm run bench oncall  # and the real control plane
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Watch, type V1Pod } from '@kubernetes/client-node';
import { render } from 'ink-testing-library';
import lockfile from 'proper-lockfile';
import { KubeClient, loadCluster } from '../source/adapters/kube.js';
import { loadConfig } from '../source/config.js';
import { createCore } from '../source/core.js';
import { FAILING_POD_REASONS } from '../source/domain/health.js';
import { LiveStateWatcher } from '../source/monitor/live-state.js';
import { startSandbox } from '../source/sandbox/index.js';
import type { SeedObject } from '../source/sandbox/seed.js';
import { createConsole } from '../source/ui/index.js';
import { median } from './lib/measure.js';
import { applySeeds, deleteNamespaces, realCluster } from './lib/real-cluster.js';
import { benchDeployments, writeManifests } from './lib/tenants.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const ecpBin = path.join(root, 'bin', 'ecp.js');
const TRIES = 5;
const NAMESPACE = 'bench-oncall';
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-oncall-'));

/** One Deployment, callbot, in its own namespace: what the console watches. */
function seeds(): SeedObject[] {
  const [callbot] = benchDeployments(1);
  return [{ ...callbot!, namespace: NAMESPACE, object: { ...callbot!.object, metadata: { ...callbot!.object.metadata, namespace: NAMESPACE } } }];
}
const GOOD = (seeds()[0]!.object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image;

async function until(what: string, ms: number, done: () => boolean): Promise<number> {
  const limit = Date.now() + ms;
  for (;;) {
    if (done()) return Date.now();
    if (Date.now() > limit) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The console over `kubeconfig`'s cluster, `kubectl set image` to an image that never pulls, TRIES times. */
async function degradedToConsole(name: string, kubeconfig: string, manifestsDir: string): Promise<string> {
  // Not execFileSync: the sandbox answers from this very process.
  const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(work, name, 'kube-cache'), '-n', NAMESPACE, ...args]);
  const client = new KubeClient(loadCluster({ env: {}, kubeconfig })!);
  const watcher = new LiveStateWatcher(client, { namespaces: () => [NAMESPACE] });
  const core = createCore(loadConfig({ cwd: work, env: { K8S_MANIFESTS_DIR: manifestsDir, ECP_DATA_DIR: path.join(work, name, 'data') } }));
  const failingSince = new Map<string, number>();
  /** Pods of a broken image still there: a new rollout must not start while one is (ecp counts an old RS's failing pod too). */
  const brokenPods = new Set<string>();
  const podWatch = await new Watch(client.cluster.kc).watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    {},
    (type: string, pod: V1Pod) => {
      const podName = pod.metadata?.name ?? '';
      if (type === 'DELETED') brokenPods.delete(podName);
      else if (pod.spec?.containers.some((c) => c.image?.includes(':broken-'))) brokenPods.add(podName);
      for (const c of pod.status?.containerStatuses ?? []) {
        const image = pod.spec?.containers.find((s) => s.name === c.name)?.image;
        if (image && c.state?.waiting?.reason && FAILING_POD_REASONS.includes(c.state.waiting.reason) && !failingSince.has(image)) failingSince.set(image, Date.now());
      }
    },
    () => undefined,
  );
  await watcher.start();
  const handle = await createConsole(core, { live: watcher, client, tenant: NAMESPACE, size: { columns: 120, rows: 35 }, env: {}, cwd: work });
  const instance = render(handle.element);
  handle.start();
  const row = () => (instance.lastFrame() ?? '').split('\n').find((l) => /│.?callbot /.test(l)) ?? '';
  const latencies: number[] = [];
  try {
    await until('the console showing callbot Healthy', 60_000, () => /Synced\s+Healthy/.test(row()));
    for (let i = 1; i <= TRIES; i += 1) {
      const broken = `localhost:5000/ecp-ai/callbot:broken-${i}`;
      await kubectl('set', 'image', 'deployment/callbot', `callbot=${broken}`);
      const shown = await until(`the console showing ${broken} Degraded`, 60_000, () => /Degraded/.test(row()));
      await until(`the bench's watch seeing ${broken} fail`, 10_000, () => failingSince.has(broken));
      latencies.push(shown - failingSince.get(broken)!);
      console.log(`${name.padEnd(8)} ${i}: pod failing → console Degraded ${latencies.at(-1)} ms`);
      await kubectl('set', 'image', 'deployment/callbot', `callbot=${GOOD}`);
      await until('the console showing callbot Healthy again', 120_000, () => /Synced\s+Healthy/.test(row()));
      await until('the broken pods gone', 120_000, () => brokenPods.size === 0);
    }
  } finally {
    instance.unmount();
    handle.stop();
    podWatch.abort();
    await watcher.stop();
  }
  return `${name}: Degraded → console median ${median(latencies)} ms, max ${Math.max(...latencies)} ms over ${TRIES} (target ≤ 1000)`;
}

/** `ecp --once` against a server that accepts connections and never answers (a SIGSTOPped one): its time to exit. */
async function hungOnce(manifestsDir: string): Promise<string> {
  const hung = net.createServer(() => undefined);
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const { port } = hung.address() as net.AddressInfo;
  const kubeconfig = path.join(work, 'hung.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: hung, cluster: {server: 'http://127.0.0.1:${port}', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: hung, context: {cluster: hung, user: u}}]\ncurrent-context: hung\n`,
  );
  try {
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [ecpBin, '--once', '--data-dir', path.join(work, 'hung-data')], {
        env: { ...process.env, KUBECONFIG: kubeconfig, K8S_MANIFESTS_DIR: manifestsDir },
        stdio: 'ignore',
      });
      child.on('close', resolve);
    });
    return `ecp --once against a hung API server: exit ${code} after ${Date.now() - started} ms (target ≤ 15000)`;
  } finally {
    hung.close();
  }
}

const results: string[] = [];
try {
  const manifestsDir = writeManifests(path.join(work, 'k8s-manifests'), seeds());
  // Once first, so the bundle bin/ecp.js runs is built before the hung run is timed.
  await new Promise((resolve) => spawn(process.execPath, [ecpBin, '--version'], { stdio: 'ignore' }).on('close', resolve));
  results.push(await hungOnce(manifestsDir));
  const sandbox = await startSandbox({ seed: manifestsDir, failImage: /:broken-\d+$/ });
  try {
    results.push(await degradedToConsole('sandbox', await sandbox.writeKubeconfig(path.join(work, 'sandbox.kubeconfig')), manifestsDir));
  } finally {
    await sandbox.stop();
  }
  const cluster = realCluster();
  if (typeof cluster === 'string') results.push(`real: skipped, ${cluster}`);
  else {
    // The control plane is shared with the tests: hold their lock while this runs.
    const release = await lockfile.lock(path.join(cluster.dir, 'tests.lock'), { stale: 20_000, retries: { retries: 1800, minTimeout: 500, maxTimeout: 500 } });
    const stages = (pattern: string) =>
      execFileSync('kubectl', ['--kubeconfig', cluster.kubeconfig, 'apply', '-f', '-'], {
        input: execFileSync(process.execPath, [path.join(root, 'scripts', 'kube', 'pod-stages.mjs'), pattern]),
        stdio: ['pipe', 'ignore', 'inherit'],
      });
    try {
      stages(':broken-[0-9]+$');
      await applySeeds(cluster, seeds());
      results.push(await degradedToConsole('real', cluster.kubeconfig, manifestsDir));
    } finally {
      await deleteNamespaces(cluster, [NAMESPACE]);
      stages('');
      await release();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log('\non call (issue 15):');
for (const line of results) console.log(`  ${line}`);
process.exit(0);
