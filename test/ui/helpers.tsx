/**
 * Renders the real console (every provider, the real store, manifests and live data) with
 * ink-testing-library at a chosen size (its stdout is given that many columns and rows), and
 * drives it with keys. Frames arrive after a macrotask: `waitFor` polls the last frame. Or one
 * component alone with its props (`renderAlone`), its frame with colours stripped, as cli-kit does.
 */
import { newVersion } from '../../source/domain/versions.js';
import { cpSync, mkdirSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import path from 'node:path';
import { render } from 'ink-testing-library';
import type React from 'react';
import { afterEach } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { loadConfig, type Config } from '../../source/config.js';
import { createCore, type Core } from '../../source/core.js';
import type { LiveDeployment } from '../../source/domain/kube-types.js';
import type { LiveSnapshot } from '../../source/domain/status.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { startSandbox, type Sandbox } from '../../source/sandbox/index.js';
import type { ImageVersion } from '../../source/domain/types.js';
import { ViewProvider, type ConsoleInfo } from '../../source/ui/context.js';
import { createConsole, type ConsoleHandle, type CreateConsoleOptions } from '../../source/ui/index.js';
import { defaultTheme } from '../../source/ui/theme.js';
import type { LiveSource } from '../../source/ui/model/console-data.js';
import { repoRoot } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  tab: '\t',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

/** A fixed live snapshot that can be changed: the LiveSource a test constructs, no cluster needed. */
export class FixedLive implements LiveSource {
  private listeners = new Set<() => void>();
  constructor(public current: LiveSnapshot) {}
  snapshot(): LiveSnapshot {
    return this.current;
  }
  async refresh(): Promise<void> {}
  on(_event: 'change', listener: () => void) {
    this.listeners.add(listener);
    return this;
  }
  off(_event: 'change', listener: () => void) {
    this.listeners.delete(listener);
    return this;
  }
  set(snapshot: LiveSnapshot): void {
    this.current = snapshot;
    for (const l of [...this.listeners]) l();
  }
}

export function deployment(namespace: string, name: string, image: string, replicas = 2, over: Partial<LiveDeployment['status']> = {}): LiveDeployment {
  return {
    metadata: { name, namespace, generation: 1, creationTimestamp: new Date(Date.now() - 3_600_000).toISOString() },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name, image }] } } },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, ...over },
  };
}

export function snapshot(deployments: LiveDeployment[], reachable = true, lastGoodAt = Date.now()): LiveSnapshot {
  return {
    reachable,
    lastGoodAt,
    error: reachable ? undefined : 'connect ECONNREFUSED 127.0.0.1:6443',
    deployments: new Map(deployments.map((d) => [`${d.metadata!.namespace}/${d.metadata!.name}`, d])),
    pods: new Map(),
  };
}

export function version(service: string, tag: string, over: Partial<ImageVersion> = {}): ImageVersion {
  const createdAt = over.createdAt ?? new Date().toISOString();
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
  return { ...newVersion(input, new Date(createdAt), new Set()), createdAt, updatedAt: createdAt, ...over };
}

export interface Workspace {
  dir: string;
  manifestsDir: string;
  dataDir: string;
  config: Config;
  core: Core;
}

/** A temp folder with a copy of the sample manifests (or none) and an empty store. */
export function workspace(options: { copySamples?: boolean; env?: NodeJS.ProcessEnv; readOnly?: boolean } = {}): Workspace {
  const dir = tempDir('ecp-ui-');
  const manifestsDir = path.join(dir, 'k8s-manifests');
  const dataDir = path.join(dir, 'data');
  mkdirSync(manifestsDir, { recursive: true });
  if (options.copySamples !== false) cpSync(path.join(repoRoot, 'k8s-manifests'), manifestsDir, { recursive: true });
  const config = loadConfig({
    cwd: dir,
    env: { K8S_MANIFESTS_DIR: manifestsDir, ECP_DATA_DIR: dataDir, ...options.env },
    readOnly: options.readOnly,
  });
  return { dir, manifestsDir, dataDir, config, core: createCore(config) };
}

/** The console's cluster in a test: a sandbox API server seeded from the manifests, its client, and its live state watched. */
export interface SandboxCluster {
  sandbox: Sandbox;
  client: KubeClient;
  watcher: LiveStateWatcher;
  stop(): Promise<void>;
}

export async function sandboxCluster(manifestsDir: string, namespaces: readonly string[]): Promise<SandboxCluster> {
  const sandbox = await startSandbox({ seed: manifestsDir, stepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(path.join(tempDir(), 'kubeconfig'));
  const client = new KubeClient(loadCluster({ env: {}, kubeconfig })!);
  const watcher = new LiveStateWatcher(client, { namespaces: () => namespaces });
  await watcher.start();
  return {
    sandbox,
    client,
    watcher,
    async stop() {
      await watcher.stop();
      await sandbox.stop();
    },
  };
}

export interface RenderedConsole {
  handle: ConsoleHandle;
  frame(): string;
  press(...keys: string[]): Promise<void>;
  waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  settle(): Promise<void>;
  unmount(): void;
  exited: () => boolean;
}

/** One turn of the event loop: Ink hands a lone Esc over on the next turn (it may begin a sequence). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How often `waitFor` looks at the last frame again. */
const POLL_MS = 10;

export async function renderConsole(core: Core, options: CreateConsoleOptions = {}): Promise<RenderedConsole> {
  let exited = false;
  const handle = await createConsole(core, { size: { columns: 100, rows: 30 }, env: {}, cwd: core.config.baseDir, ...options, exit: () => (exited = true) });
  const instance = render(handle.element);
  // ink-testing-library's stdout is 100 columns without rows; Ink reads the width on every frame.
  const size = options.size ?? { columns: 100, rows: 30 };
  Object.defineProperty(instance.stdout, 'columns', { get: () => size.columns });
  Object.defineProperty(instance.stdout, 'rows', { get: () => size.rows });
  handle.start();
  const frame = () => instance.lastFrame() ?? '';
  const waitFor = async (check: string | RegExp | ((frame: string) => boolean), timeoutMs = 5000) => {
    const test = typeof check === 'function' ? check : (f: string) => (typeof check === 'string' ? f.includes(check) : check.test(f));
    const until = Date.now() + timeoutMs;
    for (;;) {
      const f = frame();
      if (test(f)) return f;
      if (Date.now() > until) throw new Error(`Timed out waiting for ${String(check)}; last frame:\n${f}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  return {
    handle,
    frame,
    async press(...keys) {
      // Ink handles a key as it is written; the console's state has changed when write returns.
      for (const key of keys) {
        instance.stdin.write(key);
        await nextTurn();
      }
    },
    waitFor,
    settle: () => handle.settled(),
    unmount() {
      handle.stop();
      instance.unmount();
    },
    exited: () => exited,
  };
}

/**
 * Registers an afterEach that unmounts what the returned `mounted` was given in the test, also
 * when the test failed midway (a console left mounted keeps its timers and watchers). Call it
 * once, at the top of a test file. An explicit `unmount()` comes first and the afterEach skips it.
 */
export function unmountAfterEach(): <T extends { unmount(): void }>(rendered: T) => T {
  const open = new Set<{ unmount(): void }>();
  afterEach(() => {
    for (const rendered of [...open]) rendered.unmount();
  });
  return (rendered) => {
    const unmount = rendered.unmount;
    open.add(rendered);
    rendered.unmount = () => {
      if (open.delete(rendered)) unmount();
    };
    return rendered;
  };
}

/** As unmountAfterEach, for what is started (a sandbox cluster): each one tracked is stopped after the test. */
export function stopAfterEach(): <T extends { stop(): Promise<void> }>(started: T) => T {
  const running = new Set<{ stop(): Promise<void> }>();
  afterEach(async () => {
    for (const started of [...running].reverse()) await started.stop();
    running.clear();
  });
  return (started) => {
    running.add(started);
    return started;
  };
}

const INFO: ConsoleInfo = {
  registry: 'localhost:5000/ecp-ai',
  store: 'data',
  actor: 'ops@example.test',
  readOnly: false,
  intervalSeconds: 30,
  approvalTtlMs: 86_400_000,
  decisionsReadOnly: false,
};

/** One component with its props, in colour; `frame()` is its last frame without the colours. */
export function renderAlone(element: React.ReactElement, info: Partial<ConsoleInfo> = {}) {
  const instance = render(
    <ViewProvider theme={defaultTheme} info={{ ...INFO, ...info }}>
      {element}
    </ViewProvider>,
  );
  return { frame: () => stripVTControlCharacters(instance.lastFrame() ?? ''), unmount: () => instance.unmount() };
}
