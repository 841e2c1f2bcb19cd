/**
 * Live-state benchmark (issues 5 and 12): `ecp --once --json` against `kubectl get deploy -A -o
 * json` with 1 000 and with 10 000 Deployments (the sandbox's generated ones, 20 services per
 * tenant), on the sandbox and on the real control plane of scripts/kube-env.sh (kwok makes the
 * pods), alternating, medians of repeated runs; the requests each ecp run makes (the sandbox's
 * request log; the API server's audit log, user ecp-admin, between the run's start and end); ecp's
 * peak RSS. Target: ecp ≤ 1.0 × kubectl at both sizes, one LIST per workload kind (Deployments,
 * StatefulSets): 2 per run.
 *
 *   ECP_KUBE_NODES=10 scripts/kube-env.sh npm run bench once    (10 nodes hold the 10 000 pods)
 *
 * Without a real control plane the real half says so in one line; the sandbox half still runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../source/sandbox/index.js';
import { median, timed, type Timed } from './lib/measure.js';
import { AuditLog, podCapacity, realCluster, replaceSeeds } from './lib/real-cluster.js';
import { benchDeployments, registerBenchImages, writeManifests } from './lib/tenants.js';

const SIZES = [1000, 10_000];
const runsFor = (size: number) => (size > 1000 ? 5 : 7);
/** One list of Deployments, one of StatefulSets. */
const LISTS_PER_RUN = 2;
const root = path.resolve(import.meta.dirname, '..');
const ecp = [path.join(root, 'bin', 'ecp.js'), '--once', '--json'];
const kubectl = ['get', 'deploy', '-A', '-o', 'json'];
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-once-'));
const count = (n: number) => n.toLocaleString('en').replace(/,/g, ' ');

/** One place to run against: its environment for ecp and kubectl, and the requests ecp made. */
interface Target {
  env: NodeJS.ProcessEnv;
  /** Called before each ecp run. */
  begin(): void;
  /**
   * Called right after an ecp run: `verb URI` of each request the run made, read when the
   * returned function is called (after the next kubectl run, when the audit log has them all).
   */
  requests(run: Timed): () => string[];
}

interface Row {
  target: string;
  size: number;
  setup: string;
  ecpMs: number;
  kubectlMs: number;
  lists: number[];
  otherRequests: string[];
  listRequests: string[];
  rssKb: number[];
  codes: Set<number | null>;
}

async function measure(name: string, size: number, setup: string, target: Target): Promise<Row> {
  const manifests = writeManifests(path.join(work, `${name}-${size}`, 'k8s-manifests'), benchDeployments(size));
  const dataDir = path.join(work, `${name}-${size}`, 'data');
  await registerBenchImages(dataDir);
  const env = { ...target.env, K8S_MANIFESTS_DIR: manifests, ECP_DATA_DIR: dataDir, KUBECACHEDIR: path.join(work, `${name}-kube-cache`) };
  await timed('kubectl', kubectl, env); // warm kubectl's discovery cache
  await timed(process.execPath, ecp, env); // build the bundle
  const ecpTimes: number[] = [];
  const kubectlTimes: number[] = [];
  const row: Row = { target: name, size, setup, ecpMs: 0, kubectlMs: 0, lists: [], otherRequests: [], listRequests: [], rssKb: [], codes: new Set() };
  for (let i = 0; i < runsFor(size); i += 1) {
    target.begin();
    const run = await timed(process.execPath, ecp, env);
    const requestsOfRun = target.requests(run);
    kubectlTimes.push((await timed('kubectl', kubectl, env)).ms);
    const requests = requestsOfRun();
    const lists = requests.filter((r) => r.startsWith('list '));
    row.lists.push(lists.length);
    if (lists.length > LISTS_PER_RUN) row.listRequests.push(...lists);
    row.otherRequests.push(...requests.filter((r) => !r.startsWith('list ')));
    ecpTimes.push(run.ms);
    row.rssKb.push(run.rssKb);
    row.codes.add(run.code);
  }
  row.ecpMs = median(ecpTimes);
  row.kubectlMs = median(kubectlTimes);
  report(row);
  return row;
}

function report(r: Row): void {
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(
    `${r.target.padEnd(8)} ${count(r.size).padStart(6)}  ecp ${r.ecpMs.toFixed(0).padStart(5)} ms  kubectl ${r.kubectlMs.toFixed(0).padStart(5)} ms  ` +
      `ratio ${(r.ecpMs / r.kubectlMs).toFixed(2)}  LISTs/run ${[...new Set(r.lists)].join(',')}  ecp peak RSS ${mb(median(r.rssKb))} (max ${mb(Math.max(...r.rssKb))})` +
      `  exit ${[...r.codes].join(',')}  [${r.setup}]`,
  );
  if (r.listRequests.length) console.log(`  more than ${LISTS_PER_RUN} LISTs in a run: ${[...new Set(r.listRequests)].join('; ')}`);
  const other = [...new Set(r.otherRequests)];
  if (other.length) console.log(`  other requests of ecp: ${other.join('; ')}`);
}

const rows: Row[] = [];
console.log('target    size   medians of alternating runs (ecp --once --json | kubectl get deploy -A -o json)');
for (const size of SIZES) {
  const started = performance.now();
  const sandbox = await startSandbox({ deployments: size });
  const setup = `sandbox seeded in ${(performance.now() - started).toFixed(0)} ms`;
  const kubeconfig = await sandbox.writeKubeconfig(path.join(work, 'sandbox-kubeconfig'));
  rows.push(
    await measure('sandbox', size, setup, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      begin: () => sandbox.clearRequests(),
      requests: () => {
        const made = sandbox.requests().map((r) => `${r.verb ?? r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''}`);
        return () => made;
      },
    }),
  );
  await sandbox.stop();
}

const cluster = realCluster();
if (typeof cluster === 'string') console.log(`real     skipped: ${cluster}`);
else {
  const audit = new AuditLog(cluster.dir);
  const capacity = await podCapacity(cluster);
  for (const size of SIZES) {
    if (capacity < size) {
      console.log(`real     ${count(size).padStart(6)}  skipped: the nodes hold ${capacity} pods; start with ECP_KUBE_NODES=${Math.ceil(size / 1000)} or more`);
      continue;
    }
    const seeds = benchDeployments(size);
    const made = await replaceSeeds(cluster, seeds, 60_000 + size * 50);
    const rate = (made.applied / made.ms) * 1000;
    const setup = `applied ${made.applied} in ${made.ms.toFixed(0)} ms, ${rate.toFixed(0)}/s; all available ${(made.availableMs / 1000).toFixed(1)} s later`;
    let offset = 0;
    rows.push(
      await measure('real', size, setup, {
        env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
        begin: () => (offset = audit.mark()),
        requests: (run) => () =>
          audit
            .since(offset)
            .filter((e) => e.user.username === 'ecp-admin' && Date.parse(e.requestReceivedTimestamp) >= run.startedAt && Date.parse(e.requestReceivedTimestamp) <= run.endedAt)
            .map((e) => `${e.verb} ${e.requestURI}`),
      }),
    );
  }
}
rmSync(work, { recursive: true, force: true });

console.log(`\nside by side (ratio ecp / kubectl, target ≤ 1.0; LISTs per ecp run, target ${LISTS_PER_RUN}):`);
for (const size of SIZES) {
  const cells = rows
    .filter((r) => r.size === size)
    .map((r) => `${r.target} ${(r.ecpMs / r.kubectlMs).toFixed(2)} × (${r.ecpMs.toFixed(0)} / ${r.kubectlMs.toFixed(0)} ms), ${[...new Set(r.lists)].join(',')} LIST`);
  console.log(`  ${count(size).padStart(6)} Deployments: ${cells.join('   |   ')}`);
}
