/**
 * Console benchmark (issue 7), `npx tsx bench/console.ts`:
 *  1. time to first frame of the real `ecp --sandbox` in a terminal (tmux), sample manifests;
 *  2. key press → next frame with a tenant of 1 000 services, in-process (Ink writing to a
 *     terminal-sized stream: the time from the key reaching stdin to the frame being written),
 *     and through the real binary in tmux: a control-mode client (bench/lib/tmux-control.ts)
 *     sends the key and reads the pane's output as tmux reads it, beside a floor in the same run
 *     (bench/lib/redraw-floor.mjs: a Node program redrawing the same screen on each key);
 *  3. peak RSS (VmHWM) of the real `ecp --sandbox` with 1 000 services and 10 000 versions,
 *     sandbox included (it runs in the same process), after scrolling the whole tenant.
 * Targets (issue 18): first frame ≤ 400 ms, key → frame in-process p95 ≤ 16 ms, peak RSS ≤ 120 MB
 * (≤ 160 MB with the sandbox in-process); issue 15: key → frame through tmux, 1 000 services,
 * median ≤ 20 ms, p95 ≤ 50 ms.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newVersion } from '../source/domain/versions.js';
import { TmuxControl } from './lib/tmux-control.js';
import { BIG_TENANT_SERVICES, writeBigTenant } from './lib/big-tenant.js';

delete process.env.CI; // Ink draws only the last frame in CI mode
process.env.NODE_ENV ??= 'production'; // as the console runs (cli.tsx sets it)
const root = path.resolve(import.meta.dirname, '..');
const ecp = path.join(root, 'bin', 'ecp.js');
const socket = `ecp-bench-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const children: ChildProcess[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-console-'));

/** ECP_BENCH_CPU_PROF=dir: the consoles under test write a CPU profile there (they are quit with q, not killed). */
const cpuProfile = process.env.ECP_BENCH_CPU_PROF;

const SERVICES = BIG_TENANT_SERVICES;
const VERSIONS_PER_SERVICE = 10;

function writeStore(dataDir: string, names: string[]): void {
  mkdirSync(dataDir, { recursive: true });
  const start = Date.parse('2026-01-01T00:00:00Z');
  const versions = names.flatMap((service, s) =>
    Array.from({ length: VERSIONS_PER_SERVICE }, (_, i) => {
      const createdAt = new Date(start + (s * VERSIONS_PER_SERVICE + i) * 1000).toISOString();
      const tag = `v${i}`;
      const input = {
        serviceName: service,
        imageName: `localhost:5000/ecp-ai/${service}`,
        imageTag: tag,
        fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`,
        gitCommit: 'abcdef1234567',
        gitBranch: 'main',
        status: 'ready' as const,
        securityScanResult: 'passed' as const,
      };
      return newVersion(input, new Date(createdAt), new Set());
    }),
  );
  writeFileSync(path.join(dataDir, 'store.json'), JSON.stringify({ schemaVersion: 1, versions, deployments: [], approvals: [] }));
}

// ── the real binary in tmux ─────────────────────────────────────────────────────────────────

interface Session {
  name: string;
  pid: () => number;
  screen: () => string;
}

function startEcp(name: string, env: Record<string, string>, cwd: string, size = { x: 120, y: 35 }, sandbox = true): Session {
  const pidFile = path.join(work, `${name}.pid`);
  const vars = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(size.x),
    '-y',
    String(size.y),
    `cd ${cwd} && sh -c 'echo $$ > ${pidFile}; exec env -u CI ${vars} ${cpuProfile ? `NODE_OPTIONS="--cpu-prof --cpu-prof-dir=${cpuProfile}"` : ''} ${ecp}${sandbox ? ' --sandbox' : ''}'; sleep 600`,
  );
  return { name, pid: () => Number(readFileSync(pidFile, 'utf8')), screen: () => tmux('capture-pane', '-p', '-t', name) };
}

async function waitScreen(session: Session, check: (s: string) => boolean, timeoutMs = 60_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (check(session.screen())) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out; screen:\n${session.screen()}`);
    await sleep(5);
  }
}

/** Synchronized output's end mark: Ink writes it after each frame (so does the floor). */
const FRAME_END = '\x1b[?2026l';

interface KeyTimes {
  /** From the key sent to tmux to the output that shows the new position. */
  shown: number[];
  /** … to the end of that frame. */
  done: number[];
  bytes: number[];
}

/**
 * Presses `key` `count` times in each session in turn (alternating, so both see the same load),
 * `gapMs` after the last frame, and times each frame as tmux receives it: a control-mode client
 * sends the key and reads the pane's output. Each session shows its position as "N/1000"; the
 * screen is checked once at the end with capture-pane.
 */
async function keysThroughTmux(sessions: string[], key: string, count: number, gapMs: number): Promise<KeyTimes[]> {
  // A control client sees the panes of the session it is attached to: one for each.
  const controls = sessions.map((session) => new TmuxControl(socket, session));
  const times = sessions.map(() => ({ shown: [] as number[], done: [] as number[], bytes: [] as number[] }));
  try {
    const panes: string[] = [];
    for (const [s, session] of sessions.entries()) panes.push((await controls[s]!.command(`display-message -p -t ${session} '#{pane_id}'`))[0]!);
    const positions = sessions.map((session) => Number(/ (\d+)\/1000 /.exec(tmux('capture-pane', '-p', '-t', session))![1]));
    for (let i = 0; i < count; i += 1) {
      for (const [s, pane] of panes.entries()) {
        const control = controls[s]!;
        positions[s]! += 1;
        const expect = ` ${positions[s]}/1000 `;
        const frame = await new Promise<{ shown: number; done: number; bytes: number }>((resolve, reject) => {
          let seen = '';
          let shownAt: number | undefined;
          let started = 0;
          const timeout = setTimeout(() => {
            off();
            reject(new Error(`no frame showing "${expect}" in ${sessions[s]} within 5 s`));
          }, 5000);
          const off = control.onOutput((output) => {
            if (output.pane !== pane) return;
            seen += output.data;
            const at = seen.indexOf(expect);
            if (at < 0) return;
            shownAt ??= output.at;
            if (seen.indexOf(FRAME_END, at) < 0) return;
            clearTimeout(timeout);
            off();
            resolve({ shown: shownAt - started, done: output.at - started, bytes: Buffer.byteLength(seen) });
          });
          started = performance.now();
          control.command(`send-keys -t ${pane} ${key}`).catch(reject);
        });
        times[s]!.shown.push(frame.shown);
        times[s]!.done.push(frame.done);
        times[s]!.bytes.push(frame.bytes);
        await sleep(gapMs);
      }
    }
    for (const [s, session] of sessions.entries()) {
      const screen = tmux('capture-pane', '-p', '-t', session);
      if (!screen.includes(` ${positions[s]}/1000 `)) throw new Error(`${session} does not show ${positions[s]}/1000 after the presses:\n${screen}`);
    }
  } finally {
    await Promise.all(controls.map((control) => control.close()));
  }
  return times;
}

/** A process's memory in MB: its peak and current RSS, and what the current one is made of. */
function memoryOf(pid: number): { hwm: number; rss: number; file: number; anon: number; brk: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  // glibc's main heap is the [heap] mapping; its other arenas, V8's pages and Yoga's memory are anonymous mappings.
  const brk = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return { hwm: kb('VmHWM'), rss: kb('VmRSS'), file: kb('RssFile'), anon: kb('RssAnon'), brk: brk ? Number(brk[1]) / 1024 : 0 };
}

/** The floor: what a node process that has started and waits holds (as the console, started through bin/ecp.js's first line). */
async function idleNodeMemory(): Promise<ReturnType<typeof memoryOf>> {
  // The malloc settings of that line (`#!/usr/bin/env -S VAR=value … node`).
  const settings = /^#!\/usr\/bin\/env -S (.*) node$/m.exec(readFileSync(ecp, 'utf8'))![1]!.split(' ');
  const child = spawn('/usr/bin/env', [...settings, process.execPath, '-e', "process.stdout.write('up'); setTimeout(() => {}, 1e9)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  const memory = memoryOf(child.pid!);
  child.kill('SIGTERM');
  return memory;
}

async function firstFrame(): Promise<void> {
  const dataDir = path.join(work, 'data-first');
  // Warm the bundle (bin/ecp.js rebuilds it when sources are newer).
  execFileSync(process.execPath, [ecp, '--version'], { stdio: 'ignore' });
  const frames: number[] = [];
  const data: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    // The floor, seen the same way: Node starting in tmux and printing the words waited for.
    const floorStarted = performance.now();
    tmux('new-session', '-d', '-s', `floor${i}`, '-x', '120', '-y', '35', `${process.execPath} -e "process.stdout.write('Tenants Pipeline log'); setTimeout(() => {}, 60000)"`);
    await waitScreen({ name: `floor${i}`, pid: () => 0, screen: () => tmux('capture-pane', '-p', '-t', `floor${i}`) }, (s) => s.includes('Pipeline log'));
    floors.push(performance.now() - floorStarted);
    tmux('kill-session', '-t', `floor${i}`);
    const name = `first${i}`;
    const started = performance.now();
    const session = startEcp(name, { ECP_DATA_DIR: dataDir }, root);
    await waitScreen(session, (s) => s.includes('Tenants') && s.includes('Pipeline log'));
    frames.push(performance.now() - started);
    await waitScreen(session, (s) => /Synced\s+Healthy/.test(s));
    data.push(performance.now() - started);
    tmux('kill-session', '-t', name);
  }
  console.log(
    `time to first frame, ecp --sandbox (sample manifests), 5 runs: median ${median(frames).toFixed(0)} ms (min ${Math.min(...frames).toFixed(0)}, max ${Math.max(...frames).toFixed(0)}); to live data on screen: median ${median(data).toFixed(0)} ms; ` +
      `floor (node -e printing the same words in tmux, alternating): ${median(floors).toFixed(0)} ms, first frame ${(median(frames) / median(floors)).toFixed(2)} × floor; load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
}

/**
 * `external`: the sandbox runs as its own process (`ecp sandbox`) and the console reaches it
 * through a kubeconfig, as it would a real cluster — the console's own figures. Otherwise
 * `ecp --sandbox`: the sandbox serves from inside the console's process.
 */
async function bigTenantBinary(external: boolean): Promise<void> {
  const name = external ? 'bigx' : 'big';
  const dir = path.join(work, name);
  const manifestsDir = path.join(dir, 'k8s-manifests');
  const dataDir = path.join(dir, 'data');
  const names = writeBigTenant(manifestsDir);
  writeStore(dataDir, names);
  let sandbox: ChildProcess | undefined;
  const track = (child: ChildProcess) => (children.push(child), child);
  const env: Record<string, string> = { K8S_MANIFESTS_DIR: manifestsDir, ECP_DATA_DIR: dataDir };
  if (external) {
    const kubeconfig = path.join(dir, 'kubeconfig');
    sandbox = track(spawn(process.execPath, [ecp, 'sandbox', '--seed', manifestsDir, '--kubeconfig', kubeconfig], { stdio: 'ignore' }));
    // It writes the kubeconfig once it serves.
    for (let i = 0; !existsSync(kubeconfig); i += 1) {
      if (i > 600) throw new Error('ecp sandbox did not start');
      await sleep(50);
    }
    env.KUBECONFIG = kubeconfig;
  }
  const label = external ? 'ecp (cluster = ecp sandbox in another process)' : 'ecp --sandbox (sandbox in the same process)';
  const started = performance.now();
  const session = startEcp(name, env, dir, undefined, !external);
  await waitScreen(session, (s) => s.includes('Tenants') && s.includes('Pipeline log'));
  const first = performance.now() - started;
  await waitScreen(session, (s) => s.includes('1/1000') && /svc-0000\s+v9/.test(s) && s.includes('History · svc-0000') && / v9 /.test(s));
  const loaded = performance.now() - started;
  console.log(`${label}, 1 000 services, 10 000 versions: first frame ${first.toFixed(0)} ms, services and history on screen ${loaded.toFixed(0)} ms`);
  await waitScreen(session, (s) => s.includes('1000 synced'));
  // What follows the first live data (the monitor's first pass, the first history) is not a key's.
  await sleep(3000);

  // Key press → frame, seen through tmux, against a floor redrawing the same screen in the same run.
  const floorScreen = path.join(work, `${name}-screen.txt`);
  writeFileSync(floorScreen, tmux('capture-pane', '-p', '-e', '-t', name));
  const floor = `${name}-floor`;
  tmux('new-session', '-d', '-s', floor, '-x', '120', '-y', '35', `${process.execPath} ${path.join(root, 'bench', 'lib', 'redraw-floor.mjs')} ${floorScreen}; sleep 600`);
  await waitScreen({ name: floor, pid: () => 0, screen: () => tmux('capture-pane', '-p', '-t', floor) }, (s) => s.includes(' 1/1000 '));
  for (const gap of [200, 40]) {
    const presses = await keysThroughTmux([name, floor], 'j', 100, gap);
    const [ecpTimes, floorTimes] = presses;
    console.log(
      `${label}: key → frame through tmux (control-mode client, %output), 100 presses of j ${gap} ms apart: ` +
        `median ${median(ecpTimes!.done).toFixed(1)} ms, p95 ${pct(ecpTimes!.done, 0.95).toFixed(1)} ms, max ${Math.max(...ecpTimes!.done).toFixed(1)} ms ` +
        `(position first shown: median ${median(ecpTimes!.shown).toFixed(1)}, p95 ${pct(ecpTimes!.shown, 0.95).toFixed(1)} ms; ${(median(ecpTimes!.bytes) / 1024).toFixed(1)} KB a frame); ` +
        `floor (node redrawing that screen, ${(median(floorTimes!.bytes) / 1024).toFixed(1)} KB a frame, alternating): median ${median(floorTimes!.done).toFixed(1)} ms, p95 ${pct(floorTimes!.done, 0.95).toFixed(1)} ms; ` +
        `ratio ${(median(ecpTimes!.done) / median(floorTimes!.done)).toFixed(1)} × (median), ${(pct(ecpTimes!.done, 0.95) / pct(floorTimes!.done, 0.95)).toFixed(1)} × (p95); load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
  }
  tmux('kill-session', '-t', floor);

  // Walk the whole tenant (every row rendered once, every history loaded on the way) then read the peak.
  tmux('send-keys', '-t', name, 'G');
  await waitScreen(session, (s) => s.includes('1000/1000'));
  for (let i = 0; i < 60; i += 1) {
    tmux('send-keys', '-t', name, 'PPage');
    await sleep(15);
  }
  tmux('send-keys', '-t', name, 'g');
  await waitScreen(session, (s) => s.includes('1/1000'));
  tmux('send-keys', '-t', name, 'R');
  await sleep(3000);
  const memory = memoryOf(session.pid());
  const idle = await idleNodeMemory();
  console.log(
    `${label}: peak RSS (VmHWM) with 1 000 services and 10 000 versions, after scrolling all of them: ${memory.hwm.toFixed(0)} MB ` +
      `(now ${memory.rss.toFixed(0)} MB: ${memory.file.toFixed(0)} MB file pages — the node binary, libraries — and ${memory.anon.toFixed(0)} MB anonymous, of which malloc's main heap ${memory.brk.toFixed(0)} MB); ` +
      `floor, an idle node process: ${idle.hwm.toFixed(0)} MB (${idle.file.toFixed(0)} MB file pages); load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  if (cpuProfile) {
    // A profile is written when the process exits of itself.
    tmux('send-keys', '-t', name, 'q');
    while (existsSync(`/proc/${session.pid()}`)) await sleep(50);
  }
  tmux('kill-session', '-t', name);
  if (sandbox) {
    const status = readFileSync(`/proc/${sandbox.pid}/status`, 'utf8');
    console.log(`  (the ecp sandbox process serving those 1 000 Deployments: ${(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024).toFixed(0)} MB peak)`);
    sandbox.kill('SIGTERM');
  }
}

// ── in-process: key → frame written ─────────────────────────────────────────────────────────

class TerminalStream extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 35;
  onWrite?: () => void;
  write(_data: string): boolean {
    this.onWrite?.();
    return true;
  }
}

class KeyboardStream extends EventEmitter {
  isTTY = true;
  isRaw = false;
  private data: string | null = null;
  setRawMode(mode: boolean) {
    this.isRaw = mode;
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  press(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
}

async function keyToFrameInProcess(): Promise<void> {
  const { render } = await import('ink');
  const { loadConfig } = await import('../source/config.js');
  const { createCore } = await import('../source/core.js');
  const { createConsole, RENDER_OPTIONS } = await import('../source/ui/index.js');
  (await import('../source/ui/memory.js')).favourMemoryOverThroughput(); // as `ecp` does for the console
  const dir = path.join(work, 'inproc');
  const manifestsDir = path.join(dir, 'k8s-manifests');
  const dataDir = path.join(dir, 'data');
  const names = writeBigTenant(manifestsDir);
  writeStore(dataDir, names);
  const core = createCore(loadConfig({ cwd: dir, env: { K8S_MANIFESTS_DIR: manifestsDir, ECP_DATA_DIR: dataDir } }));
  const deployments = new Map(
    names.map((name) => [
      `big/${name}`,
      {
        metadata: { name, namespace: 'big', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name, image: `localhost:5000/ecp-ai/${name}:v9` }] } } },
        status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
      },
    ]),
  );
  const live = Object.assign(new EventEmitter(), {
    snapshot: () => ({ reachable: true, lastGoodAt: Date.now(), deployments, pods: new Map() }),
    refresh: async () => undefined,
  });
  const handle = await createConsole(core, { live, size: { columns: 120, rows: 35 }, env: {}, cwd: dir });
  const stdout = new TerminalStream();
  const stdin = new KeyboardStream();
  const renderTimes: number[] = [];
  const instance = render(handle.element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new TerminalStream() as unknown as NodeJS.WriteStream,
    ...RENDER_OPTIONS,
    onRender: ({ renderTime }) => renderTimes.push(renderTime),
  });
  handle.start();
  await handle.settled();
  while (handle.store.getState().tenants[0]?.rows.length !== SERVICES) await sleep(20);
  await sleep(300);
  const keys = [...Array(100).fill('j'), 'G', ...Array(50).fill('k'), 'g', ...Array(49).fill('\x1b[B')];
  // Presses 200 ms apart (an operator reading as they go), then 40 ms apart (a held key at 25/s).
  for (const gap of [200, 40]) {
    const latencies: number[] = [];
    const before = renderTimes.length;
    for (const key of keys) {
      const frame = new Promise<void>((resolve) => (stdout.onWrite = resolve));
      const t = performance.now();
      stdin.press(key);
      await frame;
      latencies.push(performance.now() - t);
      stdout.onWrite = undefined;
      await sleep(gap);
    }
    const renders = renderTimes.slice(before);
    console.log(
      `key → next frame written, in-process, tenant of 1 000 services, ${keys.length} presses (j, G, k, g, ↓) ${gap} ms apart: ` +
        `median ${median(latencies).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms ` +
        `(Ink's own render of a frame: median ${median(renders).toFixed(1)} ms)`,
    );
  }
  instance.unmount();
  handle.stop();
}

try {
  // A session that outlives the others, so the server does not exit between runs.
  tmux('new-session', '-d', '-s', 'keep', 'sleep 3600');
  const only = process.argv[2];
  if (!only || only === 'first') await firstFrame();
  if (!only || only === 'keys') await keyToFrameInProcess();
  if (!only || only === 'big') await bigTenantBinary(false);
  if (!only || only === 'external') await bigTenantBinary(true);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  try {
    tmux('kill-server');
  } catch {
    // no server
  }
  rmSync(work, { recursive: true, force: true });
}
