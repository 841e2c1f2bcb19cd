/**
 * The cluster a test talks to: the sandbox (every run) or the real control plane of
 * scripts/kube-env.sh (where it runs: `.ci/run`, or by hand after `scripts/kube-env.sh --start`).
 * One helper chooses, and both targets offer the same handles, so a test written once runs on
 * both: seeded tenants, the fail-image pattern, ecp's own requests, and cutting the API off.
 *
 * The real control plane is shared by every test file, so a test file holds it alone (a lock
 * file in its folder) from start to stop, and stop deletes the namespaces it made.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../source/sandbox/index.js';
import { repoRoot } from './run-ecp.js';
import { tempDir } from './temp.js';
import { waitUntil } from './wait.js';

const run = promisify(execFile);

export type TargetKind = 'sandbox' | 'real';

export interface RequestSeen {
  verb: string;
  resource: string;
  namespace?: string;
  /** The HTTP status answered. */
  code?: number;
}

export interface ClusterTarget {
  readonly kind: TargetKind;
  /** The sandbox itself on the sandbox target (what only it can do), else undefined. */
  readonly sandbox?: Sandbox;
  /** "sandbox" or "real control plane", for test names and messages. */
  readonly label: string;
  readonly kubeconfig: string;
  /** The kubeconfig's context name, as ecp prints it. */
  readonly context: string;
  /** The server URL, as ecp prints it. */
  readonly url: string;
  /** Images matching `pattern` never pull (ErrImagePull → ImagePullBackOff); undefined clears it. */
  setFailImage(pattern: RegExp | undefined): Promise<void>;
  /** Requests made by the tests' own user (ecp, kubectl) since the last clearRequests(). */
  requests(filter?: Partial<RequestSeen>): Promise<RequestSeen[]>;
  clearRequests(): Promise<void>;
  /** The API goes away: open connections are cut and new ones refused, as when the server dies. */
  cutOff(): Promise<void>;
  /** The API answers again at the same address (the sandbox: a new one, seeded afresh from the seed folder as it is now). */
  restore(): Promise<void>;
  /**
   * The API hangs, as a SIGSTOPped server does: connections are accepted, nothing is answered
   * (bytes already sent wait). The sandbox target needs `{ hangable: true }` for this.
   */
  hang(): Promise<void>;
  /** A hung API goes on where it stopped. */
  resume(): Promise<void>;
  /** Runs the real kubectl against this target. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** A manifests folder (k8s-manifests/<tenant>/*.yaml) to seed, every Deployment rolled out. */
  seed?: string;
  /** Sandbox only: rollout step (default 40 ms, fast). */
  stepMs?: number;
  failImage?: RegExp;
  /** Sandbox only: reach it through a TCP proxy of the test's own, so that hang() can freeze it. */
  hangable?: boolean;
}

/** Why the real control plane is not there, or undefined when it is. */
function realMissing(): string | undefined {
  if (realEnv().KUBECONFIG) return undefined;
  return process.env.ECP_TEST_REAL_CLUSTER_WHY ?? 'no real control plane is running (ECP_TEST_REAL_CLUSTER is not set and there is no .kube-env)';
}

/** KUBECONFIG and ECP_KUBE_ENV_DIR of the real control plane: the environment's, else .kube-env's. */
function realEnv(): { KUBECONFIG?: string; ECP_KUBE_ENV_DIR?: string; ECP_KUBE_LIMITED_KUBECONFIG?: string } {
  if (process.env.ECP_TEST_REAL_CLUSTER === '1') return process.env;
  const file = path.join(repoRoot, '.kube-env');
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) values[m[1]!] = m[2]!;
  }
  return existsSync(values.ECP_KUBE_ENV_DIR ?? '/nonexistent') ? values : {};
}

/**
 * `describe` once per target: always the sandbox; the real control plane where it runs, else a
 * loud skip (a failing test under CI=true, since CI must run it).
 */
export function describeTargets(name: string, body: (kind: TargetKind) => void, only?: TargetKind): void {
  for (const kind of only ? [only] : (['sandbox', 'real'] as const)) {
    const missing = kind === 'real' ? realMissing() : undefined;
    const title = `${name} [${kind === 'real' ? 'real control plane' : 'sandbox'}]`;
    if (!missing) {
      describe(title, () => {
        if (kind === 'real') holdRealForBlock();
        body(kind);
      });
    } else if (process.env.CI === 'true') {
      describe(title, () => {
        it('has the real control plane that CI must provide', () => {
          throw new Error(`CI=true but there is no real control plane for the tests: ${missing}.`);
        });
      });
    } else {
      process.stderr.write(`\n!!! REAL CONTROL PLANE TESTS SKIPPED (${name}): ${missing}.\n!!! Run \`scripts/kube-env.sh --start\` first, or the tests under \`scripts/kube-env.sh npm test\`.\n\n`);
      describe.skip(title, () => body(kind));
    }
  }
}

/** Targets started in this process and not stopped yet. */
const running = new Set<ClusterTarget>();

export async function startTarget(kind: TargetKind, options: TargetOptions = {}): Promise<ClusterTarget> {
  const target = await (kind === 'sandbox' ? startSandboxTarget(options) : startRealTarget(options));
  const stop = target.stop;
  target.stop = async () => {
    running.delete(target);
    await stop();
  };
  running.add(target);
  return target;
}

/**
 * Stops what a test file left running: test/setup.ts calls it as the file ends. A worker runs
 * many files in one process (vitest.config.ts), so a target a failed test never stopped would
 * otherwise hold the real control plane's lock as long as the worker lives, and the next file
 * of any worker that needs it would wait for ever.
 */
export async function stopLeftoverTargets(): Promise<string[]> {
  const left = [...running];
  for (const target of left) await target.stop();
  return left.map((t) => t.label);
}

async function kubectlWith(kubeconfig: string, cacheDir: string, args: string[], input?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function startSandboxTarget(options: TargetOptions): Promise<ClusterTarget> {
  const dir = tempDir('ecp-target-');
  const sandboxOptions: SandboxOptions = { seed: options.seed, stepMs: options.stepMs ?? 40, failImage: options.failImage };
  let sb = await startSandbox(sandboxOptions);
  let kubeconfig = await sb.writeKubeconfig(path.join(dir, 'kubeconfig'));
  const proxy = options.hangable ? await tcpProxy(sb.port) : undefined;
  if (proxy) writeFileSync(kubeconfig, readFileSync(kubeconfig, 'utf8').replace(sb.url, `http://127.0.0.1:${proxy.port}`));
  const cacheDir = path.join(dir, 'cache');
  const noProxy = async () => {
    throw new Error('start the sandbox target with { hangable: true } to hang it');
  };
  return {
    kind: 'sandbox',
    get sandbox() {
      return sb;
    },
    label: 'sandbox',
    kubeconfig,
    context: 'ecp-sandbox',
    url: proxy ? `http://127.0.0.1:${proxy.port}` : sb.url,
    async setFailImage(pattern) {
      sb.setFailImage(pattern);
    },
    async requests(filter = {}) {
      return sb
        .requests()
        .map((r) => ({ verb: r.verb ?? '', resource: r.resource ?? '', namespace: r.namespace, code: r.code }))
        .filter((r) => matches(r, filter));
    },
    async clearRequests() {
      sb.clearRequests();
    },
    cutOff: () => sb.stop(),
    async restore() {
      sb = await startSandbox({ ...sandboxOptions, port: sb.port, failImage: sb.failImage() });
    },
    hang: proxy ? async () => proxy.freeze() : noProxy,
    resume: proxy ? async () => proxy.thaw() : noProxy,
    kubectl: (args, input) => kubectlWith(kubeconfig, cacheDir, args, input),
    async stop() {
      await proxy?.close();
      await sb.stop();
    },
  };
}

function matches(r: RequestSeen, filter: Partial<RequestSeen>): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || r[k as keyof RequestSeen] === v);
}

/** The file whose lock a test process holds while it uses the real control plane. */
export function realTargetLockFile(): string {
  return path.join(realEnv().ECP_KUBE_ENV_DIR!, 'tests.lock');
}

/** Files run in parallel; the real control plane is one: wait for it (up to 15 minutes). */
async function lockReal(): Promise<() => Promise<void>> {
  const lockTarget = realTargetLockFile();
  if (!existsSync(lockTarget)) writeFileSync(lockTarget, '');
  return lockfile.lock(lockTarget, { stale: 20_000, retries: { retries: 1800, minTimeout: 500, maxTimeout: 500 } });
}

/** Releases the lock a describeTargets block of this process holds, while it holds it. */
let blockRelease: (() => Promise<void>) | undefined;

/**
 * A real-target block takes the lock once, in a hook that may wait as long as the lock does, and
 * keeps it until its last test is done: its tests' targets start at once instead of each
 * waiting, within its own test timeout, for other files to hand the control plane over.
 */
function holdRealForBlock(): void {
  beforeAll(async () => {
    blockRelease = await lockReal();
  }, 16 * 60_000);
  afterAll(async () => {
    const release = blockRelease;
    blockRelease = undefined;
    try {
      await stopLeftoverTargets();
    } finally {
      await release?.();
    }
  }, 180_000);
}

async function startRealTarget(options: TargetOptions): Promise<ClusterTarget> {
  const env = realEnv();
  // Inside a real-target block the block holds the lock; elsewhere the target holds it.
  const release = blockRelease ? async () => {} : await lockReal();
  try {
    return await startLockedRealTarget(options, env, release);
  } catch (error) {
    await release();
    throw error;
  }
}

/** The real target once this process holds its lock; `release` gives the lock back, whatever stop meets. */
async function startLockedRealTarget(options: TargetOptions, env: ReturnType<typeof realEnv>, release: () => Promise<void>): Promise<ClusterTarget> {
  const envDir = env.ECP_KUBE_ENV_DIR!;
  const dir = tempDir('ecp-target-');
  const cacheDir = path.join(dir, 'cache');
  const admin = readFileSync(path.join(envDir, 'ecp-admin.kubeconfig'), 'utf8');
  const upstream = /server: https:\/\/127\.0\.0\.1:(\d+)/.exec(admin)!;
  const proxy = await tcpProxy(Number(upstream[1]));
  const url = `https://127.0.0.1:${proxy.port}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, admin.replace(upstream[0], `server: ${url}`));
  const k = (args: string[], input?: string) => kubectlWith(kubeconfig, cacheDir, args, input);
  const must = async (args: string[], input?: string) => {
    const r = await k(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const auditLog = path.join(envDir, 'audit.log');
  let auditOffset = statSync(auditLog).size;
  const direct = path.join(envDir, 'ecp-admin.kubeconfig');
  // kwok's pod stages carry the fail pattern. Applied past the test's proxy, which a test may have cut off.
  const setFailImage = async (pattern: RegExp | undefined) => {
    const stages = await run(process.execPath, [path.join(repoRoot, 'scripts/kube/pod-stages.mjs'), pattern?.source ?? '']);
    const r = await kubectlWith(direct, cacheDir, ['apply', '-f', '-'], stages.stdout);
    if (r.code !== 0) throw new Error(`applying the pod stages failed: ${r.stderr.trim()}`);
  };
  const namespaces = options.seed ? await seedReal(options.seed, must) : [];
  await setFailImage(options.failImage);
  const made: string[] = [];
  const stop = async () => {
    try {
      await proxy.close();
      // Seeded namespaces stay (deleting one takes the namespace controller ~10 s) and are
      // emptied; namespaces a test made are deleted.
      for (const namespace of namespaces) {
        await kubectlWith(direct, cacheDir, ['-n', namespace, 'delete', EMPTIED, '--all', '--wait=true', '--timeout=120s']);
      }
      if (made.length) await kubectlWith(direct, cacheDir, ['delete', 'namespace', '--ignore-not-found', '--wait=true', '--timeout=120s', ...made]);
      await setFailImage(undefined);
    } finally {
      await release();
    }
  };
  return {
    kind: 'real',
    label: 'real control plane',
    kubeconfig,
    context: 'kube-env',
    url,
    setFailImage,
    async requests(filter = {}) {
      return readAudit(auditLog, auditOffset).filter((r) => matches(r, filter));
    },
    async clearRequests() {
      auditOffset = statSync(auditLog).size;
    },
    cutOff: () => proxy.close(),
    restore: () => proxy.reopen(),
    hang: async () => proxy.freeze(),
    resume: async () => proxy.thaw(),
    async kubectl(args, input) {
      const r = await k(args, input);
      const created = /^namespace\/(\S+) created/m.exec(r.stdout);
      if (created) made.push(created[1]!);
      return r;
    },
    stop: once(stop),
  };
}

function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}

/** The tests' own requests (user ecp-admin) in the audit log from `offset` on. */
function readAudit(file: string, offset: number): RequestSeen[] {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, buffer.length, offset);
  closeSync(fd);
  const out: RequestSeen[] = [];
  for (const line of buffer.toString('utf8').split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as { verb: string; user: { username: string }; objectRef?: { resource?: string; namespace?: string }; responseStatus?: { code?: number } };
    if (event.user.username !== 'ecp-admin') continue;
    out.push({ verb: event.verb, resource: event.objectRef?.resource ?? '', namespace: event.objectRef?.namespace, code: event.responseStatus?.code });
  }
  return out;
}

/** What emptying a seeded namespace deletes. */
const EMPTIED = 'all,configmaps,secrets,roles,rolebindings,leases';

/** Applies every tenant's manifests (namespace from the objects, else the folder) and waits for the rollouts. */
async function seedReal(dir: string, must: (args: string[], input?: string) => Promise<string>): Promise<string[]> {
  const namespaces = new Set<string>();
  // Per tenant: objects without metadata.namespace land in the tenant's, as the sandbox seeds them.
  const groups: { files: string[]; namespace?: string }[] = [];
  for (const tenant of readdirSync(dir).sort()) {
    const folder = path.join(dir, tenant);
    if (!statSync(folder).isDirectory()) continue;
    const group = { files: [] as string[], namespace: tenant as string | undefined };
    for (const file of readdirSync(folder)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      group.files.push(path.join(folder, file));
      for (const doc of parseAllDocuments(readFileSync(path.join(folder, file), 'utf8'))) {
        const value = doc.toJSON() as { kind?: string; metadata?: { namespace?: string } } | null;
        if (value?.kind && value.kind !== 'Namespace') namespaces.add(value.metadata?.namespace ?? tenant);
        // kubectl -n refuses objects that name another namespace: those tenants go without it.
        if (value?.metadata?.namespace !== undefined && value.metadata.namespace !== tenant) group.namespace = undefined;
      }
    }
    if (group.files.length > 0) groups.push(group);
  }
  const list = [...namespaces].sort();
  const namespaceDocs = list.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`).join('---\n');
  await must(['apply', '-f', '-'], namespaceDocs);
  // A run killed before its stop() leaves what it seeded and changed (an image set by hand, a
  // test's own Deployment): empty the namespaces first, so this seed starts from nothing too.
  await Promise.all(list.map((n) => must(['-n', n, 'delete', EMPTIED, '--all', '--wait=true', '--timeout=120s'])));
  await Promise.all(
    list.map((n) =>
      waitUntil(
        () =>
          must(['-n', n, 'get', 'serviceaccount', 'default']).then(
            () => true,
            () => false,
          ),
        `namespace ${n} has its default ServiceAccount`,
        60_000,
      ),
    ),
  );
  for (const group of groups) {
    await must(['apply', '--server-side', '--field-manager', 'ecp', ...(group.namespace ? ['-n', group.namespace] : []), ...group.files.flatMap((f) => ['-f', f])]);
  }
  await Promise.all(list.map((n) => must(['-n', n, 'rollout', 'status', 'deployment', '--timeout=120s'])));
  return list;
}

/**
 * A loopback TCP proxy to `port`; close() cuts every connection and stops listening, reopen()
 * listens again on the same port; freeze() stops passing bytes either way and holds new
 * connections unanswered (a SIGSTOPped server), thaw() lets them through again.
 */
async function tcpProxy(port: number): Promise<{ port: number; close(): Promise<void>; reopen(): Promise<void>; freeze(): void; thaw(): void }> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  let frozen = false;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const join = (pair: { client: net.Socket; upstream?: net.Socket }) => {
    pair.upstream ??= net.connect(port, '127.0.0.1');
    track(pair.upstream);
    pair.client.pipe(pair.upstream).pipe(pair.client);
    pair.client.resume();
  };
  const listen = async (at: number) => {
    const server = net.createServer((client) => {
      const pair = { client };
      pairs.add(pair);
      track(client);
      client.on('close', () => pairs.delete(pair));
      if (frozen) client.pause();
      else join(pair);
    });
    await new Promise<void>((resolve) => server.listen(at, '127.0.0.1', resolve));
    return server;
  };
  let server: net.Server | undefined = await listen(0);
  const own = (server.address() as net.AddressInfo).port;
  return {
    port: own,
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async reopen() {
      server ??= await listen(own);
    },
    freeze() {
      frozen = true;
      for (const { client, upstream } of pairs) {
        if (!upstream) continue;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) {
        if (pair.upstream) {
          pair.client.pipe(pair.upstream).pipe(pair.client);
          pair.client.resume();
          pair.upstream.resume();
        } else join(pair);
      }
    },
  };
}

/** The limited user's kubeconfig (no rights until a Role binds it), pointed at `target`. */
export function limitedKubeconfig(target: ClusterTarget): string {
  const env = realEnv();
  const text = readFileSync(env.ECP_KUBE_LIMITED_KUBECONFIG!, 'utf8').replace(/server: \S+/, `server: ${target.url}`);
  const file = path.join(tempDir('ecp-limited-'), 'kubeconfig');
  writeFileSync(file, text);
  return file;
}
