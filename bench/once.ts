/**
 * Live-state benchmark (issue 5): a sandbox with 50 tenants × 20 services (1 000 Deployments);
 * `ecp --once --json` against `kubectl get deploy -A -o json` on the same sandbox, alternating,
 * medians of repeated runs; list requests per ecp run counted in the sandbox; ecp's peak RSS.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../source/sandbox/index.js';

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-once-'));
const SERVICES = ['callbot', 'chatbot', 'advisor', 'stt', 'tts', 'nlu', 'dialog', 'knowledge', 'search', 'summarizer', 'translator', 'classifier', 'recommender', 'analytics', 'gateway', 'auth', 'billing', 'notifier', 'scheduler', 'reporter'];

// The manifests the sandbox is seeded from and ecp reads: 50 tenant folders, 20 services each.
const manifests = path.join(work, 'k8s-manifests');
for (let t = 1; t <= 50; t += 1) {
  const tenant = `tenant-${String(t).padStart(2, '0')}`;
  mkdirSync(path.join(manifests, tenant), { recursive: true });
  const docs = SERVICES.map(
    (s) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${s}, namespace: ${tenant}, labels: {app: ${s}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${s}}}
  template:
    metadata: {labels: {app: ${s}}}
    spec:
      containers: [{name: ${s}, image: "localhost:5000/ecp-ai/${s}:v1.0.0"}]
`,
  );
  writeFileSync(path.join(manifests, tenant, 'services.yaml'), docs.join('---\n'));
}
const started = Date.now();
const sandbox = await startSandbox({ seed: manifests });
console.log(`sandbox seeded with 1 000 Deployments in ${Date.now() - started} ms`);
const kubeconfig = await sandbox.writeKubeconfig(path.join(work, 'kubeconfig'));
const env = { ...process.env, KUBECONFIG: kubeconfig, K8S_MANIFESTS_DIR: manifests, ECP_DATA_DIR: path.join(work, 'data'), KUBECACHEDIR: path.join(work, 'kube-cache') };

/** Runs a command (asynchronously: the sandbox serves it from this process) and times it. */
function timed(command: string, args: string[]): Promise<{ ms: number; rssKb: number; code: number | null }> {
  // GNU time's %M is the child's peak RSS in KB (Debian package `time`).
  const gnuTime = existsSync('/usr/bin/time');
  const t = performance.now();
  const child = gnuTime ? spawn('/usr/bin/time', ['-f', '%M', command, ...args], { env }) : spawn(command, args, { env });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ ms: performance.now() - t, rssKb: gnuTime ? Number(stderr.trim().split('\n').at(-1)) : NaN, code })),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ecpTimes: number[] = [];
const kubectlTimes: number[] = [];
const rss: number[] = [];
const lists: number[] = [];
await timed('kubectl', ['get', 'deploy', '-A', '-o', 'json']); // warm kubectl's discovery cache
await timed(process.execPath, [path.join(root, 'bin', 'ecp.js'), '--once', '--json']); // build the bundle
for (let i = 0; i < 9; i += 1) {
  sandbox.clearRequests();
  const ecp = await timed(process.execPath, [path.join(root, 'bin', 'ecp.js'), '--once', '--json']);
  lists.push(sandbox.requestCount({ verb: 'list' }));
  ecpTimes.push(ecp.ms);
  rss.push(ecp.rssKb);
  kubectlTimes.push((await timed('kubectl', ['get', 'deploy', '-A', '-o', 'json'])).ms);
}
await sandbox.stop();
rmSync(work, { recursive: true, force: true });
const e = median(ecpTimes);
const k = median(kubectlTimes);
console.log(`ecp --once --json:              median ${e.toFixed(0)} ms (list requests per run: ${[...new Set(lists)].join(', ')})`);
console.log(`kubectl get deploy -A -o json:  median ${k.toFixed(0)} ms`);
console.log(`ratio ecp / kubectl:            ${(e / k).toFixed(2)} (target ≤ 1.5)`);
console.log(`ecp peak RSS:                   median ${(median(rss) / 1024).toFixed(0)} MB, max ${(Math.max(...rss) / 1024).toFixed(0)} MB`);
