/**
 * `npm run soak` (issue 19): a bounded run (SOAK_SECONDS, default 240, at most 600) on loopback
 * only, against the sandbox or (SOAK_TARGET=real) the real control plane of scripts/kube-env.sh.
 * The API server sits behind a fault proxy that drops 10 % of requests, delays 10 % by 1–3 s, and
 * every 30 s "restarts" the server: every open connection and watch cut, new connections refused
 * for 2 s. On the real control plane the proxy terminates TLS with the API server's own serving
 * certificate (kube-env's CA signs it, so clients verify it as usual) and forwards over TLS; the
 * restart is the same cut, since restarting kube-apiserver would take its 7 s start every 30 s.
 * Three operators — separate clones of one manifests repository, each with its own user.email and
 * tenant — register, deploy and roll back in a loop against one shared data dir, while `ecp
 * monitor` runs with auto-rollback on and the cluster fails to pull every image whose tag holds
 * "soakfail" (every fourth deploy). At the end it checks and prints: records lost, records
 * duplicated, audit verify, rollbacks repeated or to a wrong target, commands that hung past their
 * timeout, exits other than 0/1/2/3, and exits 2 ("nothing changed") after which the work tree,
 * the deployment records or the live image had changed.
 *
 *   npm run soak            SOAK_SECONDS=600 npm run soak
 *   source .kube-env; SOAK_TARGET=real npm run soak
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { newVersion } from '../source/domain/versions.js';
import { startSandbox } from '../source/sandbox/index.js';
import { Store } from '../source/store/store.js';
import { pushTinyImage } from '../test/helpers/registry.js';
import { testEnvValues } from '../test/helpers/test-env.js';

const root = path.resolve(import.meta.dirname, '..');
const execFileAsync = promisify(execFile);
const ecpBin = path.join(root, 'bin', 'ecp.js');
const seconds = Math.min(Number(process.env.SOAK_SECONDS ?? 240), 600);
const COMMAND_TIMEOUT_MS = 120_000;
const OPERATORS = 3;
const SERVICES = ['callbot', 'chatbot'];

// The test environment's registry (scripts/test-env.sh): every image is pushed there, so the
// monitor's auto-rollback passes its registry check. Without one, registry checks are skipped
// where a flag allows, and auto-rollbacks fail on theirs.
const registry = testEnvValues().ECP_TEST_REGISTRY;
const imageRegistry = registry ?? 'localhost:5000';
const skipRegistry = registry ? [] : ['--skip-registry-check'];
const image = async (service: string, tag: string) => {
  if (registry) await pushTinyImage(registry, `ecp-ai/${service}`, tag);
  return `${imageRegistry}/ecp-ai/${service}:${tag}`;
};

const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-soak-'));
const dataDir = path.join(work, 'data');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function manifest(tenant: string, service: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service}
  namespace: ${tenant}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${service}}
  template:
    metadata:
      labels: {app: ${service}}
    spec:
      containers:
        - name: ${service}
          image: ${imageRegistry}/ecp-ai/${service}:v0-seed
`;
}

// The repository every operator clones, and the shared data dir.
const origin = path.join(work, 'origin');
mkdirSync(origin);
git(origin, 'init', '-q', '-b', 'main');
const tenants = Array.from({ length: OPERATORS }, (_, i) => `soak-${i + 1}`);
for (const tenant of tenants) {
  mkdirSync(path.join(origin, 'k8s-manifests', tenant), { recursive: true });
  for (const service of SERVICES) writeFileSync(path.join(origin, 'k8s-manifests', tenant, `${service}.yaml`), manifest(tenant, service));
}
const config = `dataDir: ${dataDir}
registry: ${imageRegistry}
monitorInterval: 3
requireApproval: []
autoRollback:
  services: [${SERVICES.join(', ')}]
  protectedNamespaces: []
`;
writeFileSync(path.join(origin, 'ecp.config.yaml'), config);
git(origin, 'add', '-A');
git(origin, '-c', 'user.email=seed@example.test', '-c', 'user.name=seed', 'commit', '-qm', 'tenants');

// The seed images the manifests start from, registered ready.
const seeds = await Promise.all(SERVICES.map((service) => image(service, 'v0-seed')));
await new Store(dataDir).update((data) => {
  for (const [i, service] of SERVICES.entries()) {
    const input = {
      serviceName: service,
      imageName: service,
      imageTag: 'v0-seed',
      fullImageName: seeds[i]!,
      gitCommit: 'abc1234',
      gitBranch: 'main',
      status: 'ready' as const,
      securityScanResult: 'passed' as const,
    };
    data.versions.push(newVersion(input, new Date(Date.now() - 60_000), new Set(data.versions.map((v) => v.id)), 'seed@example.test'));
  }
});

// The cluster: what the operators' kubeconfig reaches through the fault proxy.
interface Target {
  label: string;
  /** The API server's address, as the kubeconfig names it. */
  upstream: URL;
  kubeconfig: string;
  /** TLS for both sides of the proxy (the real control plane), or undefined (plain HTTP). */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
  /** What a restart does besides cutting the proxy's connections. */
  onRestart(): void;
  stop(): Promise<void>;
}

async function sandboxTarget(): Promise<Target> {
  const sandbox = await startSandbox({ seed: path.join(origin, 'k8s-manifests'), stepMs: 100, failImage: /soakfail/ });
  const kubeconfig = path.join(work, 'sandbox.kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  return { label: `sandbox ${sandbox.url}`, upstream: new URL(sandbox.url), kubeconfig, onRestart: () => sandbox.dropWatches(), stop: () => sandbox.stop() };
}

/** The real control plane: held alone (the tests' lock file), seeded with the tenants, the fail pattern set; stop undoes all three. */
async function realTarget(): Promise<Target> {
  const envDir = process.env.ECP_KUBE_ENV_DIR ?? /^export ECP_KUBE_ENV_DIR=(.*)$/m.exec(existsSync(path.join(root, '.kube-env')) ? readFileSync(path.join(root, '.kube-env'), 'utf8') : '')?.[1];
  if (!envDir || !existsSync(envDir)) throw new Error('SOAK_TARGET=real needs the real control plane: run `scripts/kube-env.sh --start` first (no ECP_KUBE_ENV_DIR / .kube-env found).');
  const lockTarget = path.join(envDir, 'tests.lock');
  if (!existsSync(lockTarget)) writeFileSync(lockTarget, '');
  console.log('soak: waiting for the real control plane (tests hold it one file at a time)...');
  const release = await lockfile.lock(lockTarget, { stale: 20_000, retries: { retries: 1800, minTimeout: 500, maxTimeout: 500 } });
  const kubeconfig = path.join(envDir, 'ecp-admin.kubeconfig');
  const kubectl = (args: string[], input?: string) => execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const failImage = (pattern: string) => kubectl(['apply', '-f', '-'], execFileSync(process.execPath, [path.join(root, 'scripts/kube/pod-stages.mjs'), pattern], { encoding: 'utf8' }));
  kubectl(['apply', '-f', '-'], tenants.map((t) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${t}}\n`).join('---\n'));
  for (const t of tenants) kubectl(['wait', '--for=create', '-n', t, 'serviceaccount/default', '--timeout=60s']);
  kubectl(['apply', '--server-side', '--field-manager', 'ecp', '-R', '-f', path.join(origin, 'k8s-manifests')]);
  for (const t of tenants) kubectl(['-n', t, 'rollout', 'status', 'deployment', '--timeout=120s']);
  failImage('soakfail');
  const server = /server: (https:\/\/\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]!;
  return {
    label: `real control plane ${server}`,
    upstream: new URL(server),
    kubeconfig,
    tls: { ca: readFileSync(path.join(envDir, 'ca.crt')), cert: readFileSync(path.join(envDir, 'apiserver.crt')), key: readFileSync(path.join(envDir, 'apiserver.key')) },
    onRestart: () => undefined,
    async stop() {
      failImage('');
      kubectl(['delete', 'namespace', '--ignore-not-found', '--wait=true', '--timeout=180s', ...tenants]);
      await release();
    },
  };
}

const target = process.env.SOAK_TARGET === 'real' ? await realTarget() : await sandboxTarget();
const upstream = target.upstream;
const faults = { requests: 0, dropped: 0, delayed: 0, restarts: 0, refused: 0 };
let down = false;
const sockets = new Set<Socket>();
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  faults.requests += 1;
  if (down) {
    faults.refused += 1;
    return req.socket.destroy();
  }
  const roll = Math.random();
  if (roll < 0.1) {
    faults.dropped += 1;
    return req.socket.destroy();
  }
  const forward = () => {
    const options = { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers };
    const answered = (answer: http.IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    };
    const out = target.tls ? https.request({ ...options, ca: target.tls.ca }, answered) : http.request(options, answered);
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  if (roll < 0.2) {
    faults.delayed += 1;
    setTimeout(forward, 1000 + Math.random() * 2000);
  } else forward();
};
const proxy = target.tls ? https.createServer({ cert: target.tls.cert, key: target.tls.key }, handler) : http.createServer(handler);
proxy.on(target.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyPort = (proxy.address() as { port: number }).port;
const restarts = setInterval(() => {
  faults.restarts += 1;
  down = true;
  target.onRestart();
  for (const socket of sockets) socket.destroy();
  setTimeout(() => (down = false), 2000);
}, 30_000);
const kubeconfig = path.join(work, 'kubeconfig');
writeFileSync(kubeconfig, readFileSync(target.kubeconfig, 'utf8').replace(upstream.origin, `${upstream.protocol}//127.0.0.1:${proxyPort}`));

// Every command, with its exit code, duration and whether it had to be killed.
interface Run {
  who: string;
  args: string[];
  code: number | null;
  hung: boolean;
  stdout: string;
  stderr: string;
  started: number;
}
const runs: Run[] = [];
function ecp(who: string, cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ecpBin, ...args], { cwd, env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1', ECP_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hung = false;
    const started = Date.now();
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, COMMAND_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const run = { who, args, code, hung, stdout, stderr, started };
      runs.push(run);
      resolve(run);
    });
  });
}

const registered = new Set<string>();
const deadline = Date.now() + seconds * 1000;

/**
 * What a deploy or rollback can change, read past the fault proxy: the operator's work tree
 * (HEAD and uncommitted files), its deployment records, the image running in the cluster.
 * Exit 2 promises that none of it changed.
 */
async function footprint(dir: string, tenant: string, service: string, who: string): Promise<string> {
  const tree = `${git(dir, 'rev-parse', 'HEAD')} ${git(dir, 'status', '--porcelain')}`;
  const records = (await new Store(dataDir).read()).deployments.filter((d) => d.tenantId === tenant && d.actor === who).map((d) => `${d.id}:${d.status}`);
  // Asynchronously: the sandbox answers from this very process.
  const { stdout: live } = await execFileAsync('kubectl', ['--kubeconfig', target.kubeconfig, '-n', tenant, 'get', 'deploy', service, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], {
    encoding: 'utf8',
  });
  return JSON.stringify({ tree, records, live });
}

/** Commands that exited 2 ("nothing changed") although their footprint changed. */
const changedOnExit2: { run: Run; before: string; after: string }[] = [];
async function changing(who: string, dir: string, tenant: string, service: string, args: string[]): Promise<Run> {
  const before = await footprint(dir, tenant, service, who);
  const run = await ecp(who, dir, args);
  if (run.code === 2) {
    const after = await footprint(dir, tenant, service, who);
    // The monitor may roll the service back meanwhile: then the live image is not this command's doing.
    const monitorActed = (await new Store(dataDir).read()).deployments.some(
      (d) => d.kind === 'auto-rollback' && d.tenantId === tenant && d.serviceName === service && d.startedAt >= new Date(run.started).toISOString(),
    );
    const strip = (f: string) => (monitorActed ? JSON.stringify({ ...JSON.parse(f), live: undefined }) : f);
    if (strip(before) !== strip(after)) changedOnExit2.push({ run, before, after });
  }
  return run;
}

async function operator(index: number): Promise<void> {
  const who = `op${index + 1}@example.test`;
  const dir = path.join(work, `op-${index + 1}`);
  git(work, 'clone', '-q', origin, dir);
  git(dir, 'config', 'user.email', who);
  git(dir, 'config', 'user.name', `operator ${index + 1}`);
  const tenant = tenants[index]!;
  for (let n = 1; Date.now() < deadline; n += 1) {
    const service = SERVICES[n % SERVICES.length]!;
    const tag = `v${n}-op${index + 1}${n % 4 === 0 ? '-soakfail' : ''}`;
    const body = JSON.stringify({ service_name: service, image_name: service, image_tag: tag, full_image_name: await image(service, tag), git_commit: 'abc1234', git_branch: 'main' });
    const reg = await ecp(who, dir, ['versions', 'register', '--json', body]);
    if (reg.code !== 0) continue;
    const id = (JSON.parse(reg.stdout) as { id: string }).id; // --json BODY prints the version as JSON
    registered.add(id);
    await ecp(who, dir, ['versions', 'status', id, '--status', 'ready', '--scan', 'passed']);
    await changing(who, dir, tenant, service, ['deploy', tenant, '--service', service, '--no-build', ...skipRegistry, '--timeout', '30s']);
    if (n % 3 === 0) await changing(who, dir, tenant, service, ['rollback', tenant, service, '--reason', 'soak', ...skipRegistry, '--timeout', '30s']);
  }
}

const monitorDir = path.join(work, 'monitor');
git(work, 'clone', '-q', origin, monitorDir);
git(monitorDir, 'config', 'user.email', 'monitor@example.test');
const monitor = spawn(process.execPath, [ecpBin, 'monitor', '--interval', '3'], {
  cwd: monitorDir,
  env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1', ECP_CONFIG: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let monitorLog = '';
monitor.stdout.on('data', (d: Buffer) => (monitorLog += d.toString()));
monitor.stderr.on('data', (d: Buffer) => (monitorLog += d.toString()));
const monitorExit = new Promise<number | null>((resolve) => monitor.on('close', (code) => resolve(code)));

console.log(
  `soak: ${seconds} s, ${OPERATORS} operators, monitor with auto-rollback, fault proxy on 127.0.0.1:${proxyPort} → ${target.label}, registry ${registry ?? '(none: registry checks skipped, auto-rollbacks fail theirs)'}; work in ${work}`,
);
const started = Date.now();
await Promise.all(tenants.map((_, i) => operator(i)));
monitor.kill('SIGTERM');
const monitorCode = await Promise.race([monitorExit, new Promise<string>((r) => setTimeout(() => r('hung'), 30_000))]);
clearInterval(restarts);
down = false;

// The checks, on a quiet system.
const store = new Store(dataDir, 100_000, { notify: (s) => console.log(`store: ${s}`) });
const data = await store.read();
let lost = 0;
for (const id of registered) if (!(await store.findVersion(id))) lost += 1;
const allVersions = (await Promise.all(SERVICES.map((s) => store.allVersions(s)))).flat();
const duplicated = allVersions.length - new Set(allVersions.map((v) => v.fullImageName)).size + (data.deployments.length - new Set(data.deployments.map((d) => d.id)).size);
const verify = await ecp('check', monitorDir, ['audit', 'verify']);
const byImage = new Map(allVersions.map((v) => [v.fullImageName, v]));
let badRollbacks = 0;
const rollbacks = data.deployments.filter((d) => d.kind !== 'deploy').sort((a, b) => a.startedAt.localeCompare(b.startedAt));
const seenAuto = new Set<string>();
for (const r of rollbacks) {
  const target = byImage.get(r.toImage);
  const wrong = r.toImage === r.fromImage || r.toImage.includes('soakfail') || target?.status === 'blocked';
  // An auto-rollback repeated: two for the same tenant/service away from the same failed image.
  const key = `${r.tenantId}/${r.serviceName}/${r.fromImage}`;
  const repeated = r.kind === 'auto-rollback' && seenAuto.has(key);
  if (r.kind === 'auto-rollback') seenAuto.add(key);
  if (wrong || repeated) {
    badRollbacks += 1;
    console.log(`  bad rollback ${r.id}: ${r.kind} ${r.fromImage} → ${r.toImage}${repeated ? ' (repeated)' : ''}`);
  }
}
const hung = runs.filter((r) => r.hung);
const oddExits = runs.filter((r) => !r.hung && ![0, 1, 2, 3].includes(r.code ?? -1));
const unexpected = runs.filter((r) => /unexpected error/.test(r.stderr));

const proxyClosed = new Promise<void>((resolve) => proxy.close(() => resolve()));
for (const socket of sockets) socket.destroy();
await proxyClosed;
await target.stop();

const kinds = new Map<string, Map<string, number>>();
for (const r of runs) {
  const kind = r.args[0] === 'versions' ? `versions ${r.args[1]}` : r.args[0]!;
  const codes = kinds.get(kind) ?? new Map<string, number>();
  const code = r.hung ? 'hung' : String(r.code);
  codes.set(code, (codes.get(code) ?? 0) + 1);
  kinds.set(kind, codes);
}
console.log(
  `\nran ${((Date.now() - started) / 1000).toFixed(0)} s against the ${target.label.split(' http')[0]}: ${runs.length} commands; proxy: ${faults.requests} requests, ${faults.dropped} dropped, ${faults.delayed} delayed, ${faults.restarts} restarts (${faults.refused} refused while down)`,
);
for (const [kind, codes] of kinds) console.log(`  ${kind.padEnd(18)} ${[...codes].map(([c, n]) => `exit ${c}: ${n}`).join(', ')}`);
console.log(
  `  store: ${data.versions.length} hot versions, ${data.deployments.length} deployment records (${rollbacks.filter((r) => r.kind === 'auto-rollback').length} auto-rollbacks, ${rollbacks.filter((r) => r.kind === 'rollback').length} rollbacks)`,
);
for (const r of unexpected.slice(0, 5)) console.log(`  unexpected error from ${r.args.join(' ')}: ${r.stderr.trim().split('\n').at(-1)}`);
if (process.env.SOAK_KEEP === '1') {
  for (const r of runs.filter((x) => x.code !== 0).slice(0, 8)) console.log(`  exit ${r.code} from ${r.args.slice(0, 3).join(' ')}: ${r.stderr.trim().split('\n').at(-1)}`);
}
const checks: [string, string | number, boolean][] = [
  ['records lost', lost, lost === 0],
  ['records duplicated', duplicated, duplicated === 0],
  ['audit verify', verify.code === 0 ? 'intact' : verify.stdout.trim(), verify.code === 0],
  ['rollbacks repeated or to a wrong target', badRollbacks, badRollbacks === 0],
  ['commands that hung past their timeout', hung.length + (monitorCode === 'hung' ? 1 : 0), hung.length === 0 && monitorCode !== 'hung'],
  ['exits other than 0/1/2/3', oddExits.length, oddExits.length === 0],
  ['exit 2 ("nothing changed") after a change', changedOnExit2.length, changedOnExit2.length === 0],
];
for (const { run, before, after } of changedOnExit2.slice(0, 5)) {
  console.log(`  exit 2 after a change: ${run.args.slice(0, 4).join(' ')}: ${run.stderr.trim().split('\n').at(-1)}\n    before ${before}\n    after  ${after}`);
}
console.log('\nend-of-run checks');
for (const [name, value, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${value}`);
if (process.env.SOAK_KEEP !== '1') rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}; the monitor's last lines:\n${monitorLog.trim().split('\n').slice(-12).join('\n')}`);
process.exit(checks.every(([, , ok]) => ok) ? 0 : 1);
