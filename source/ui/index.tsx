/**
 * The console's entry: `runConsole(core, options)` opens the full-screen console and resolves
 * with the exit code when the operator quits. `createConsole` builds the same thing without
 * taking the terminal (tests and benchmarks render its element themselves).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { render } from 'ink';
import type React from 'react';
import type { KubeClient } from '../pipeline/cluster-session.js';
import { hasRole } from '../domain/roles.js';
import type { ClusterSession } from '../pipeline/cluster-session.js';
import type { Core } from '../core.js';
import { errorMessage } from '../errors.js';
import type { LiveStateWatcher } from '../monitor/live-state.js';
import type { MonitorEvent } from '../monitor/monitor.js';
import { ACTIONS } from './actions.js';
import { ConsoleApp } from './components/App.js';
import { ConsoleProvider, keyMode, type ConsoleInfo } from './context.js';
import type { Binding } from './keymap.js';
import { layoutFor, type Size } from './layout.js';
import { ConsoleData, liveInfo, type LiveSource } from './model/console-data.js';
import { withCachedReads } from '../core.js';
import { HistoryLoader } from './model/history-loader.js';
import { JobRunner } from './model/jobs.js';
import { rollbackSupport } from './rollback-dialog.js';
import { initialState, type ClusterInfo } from './model/state.js';
import { createConsoleStore, type ConsoleStore } from './model/store.js';
import { createUIActions, type UIActions } from './model/ui-actions.js';
import { QUIT_CLEANLY, type ConsoleExit } from './model/quit-outcome.js';
import type { EditorCommand } from '../pipeline/edit-manifest.js';
import { TerminalGuard } from './terminal.js';
import { themeFor } from './theme.js';
import { paneKeys } from './views.js';

export interface CreateConsoleOptions {
  /** Live state; undefined: no cluster (every service Unknown). */
  live?: LiveSource;
  /** The cluster's client, for deploy, rollback and validate's dry run. */
  client?: KubeClient;
  /** What the header calls the cluster. */
  clusterLabel?: string;
  /** Only this tenant. */
  tenant?: string;
  env?: NodeJS.ProcessEnv;
  /** Force the no-color theme (default: NO_COLOR). */
  noColor?: boolean;
  /** A fixed terminal size; default the terminal's, following resizes. */
  size?: Size;
  /** The terminal size when `size` is not given (for paging keys). */
  terminalSize?: () => Size;
  /** Refresh interval; default config.monitorIntervalSeconds. */
  intervalMs?: number;
  /** Called when the operator quits: the exit code and what to tell the shell. */
  exit?: (outcome: ConsoleExit) => void;
  /** Lends the terminal to a command (e: the editor), the console suspended meanwhile. */
  runInTerminal?: (command: EditorCommand) => Promise<string | undefined>;
  cwd?: string;
}

export interface ConsoleHandle {
  element: React.ReactElement;
  /** Read-only mode or an actor without the operator role: nothing that changes anything runs. */
  readOnly: boolean;
  store: ConsoleStore;
  actions: UIActions;
  data: ConsoleData;
  history: HistoryLoader;
  jobs: JobRunner;
  /** The keys of the focused pane in force now. */
  bindings(): readonly Binding[];
  /** The cluster connected: follow its live state, let actions use it, show its keys. */
  attachCluster(cluster: { live: LiveSource; client?: KubeClient; label: string }): void;
  start(): void;
  stop(): void;
  /** Resolves when reads and jobs started so far have finished (tests). */
  settled(): Promise<void>;
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export async function createConsole(core: Core, options: CreateConsoleOptions = {}): Promise<ConsoleHandle> {
  const env = options.env ?? process.env;
  const live = options.live;
  const cluster: ClusterInfo = live ? { label: options.clusterLabel ?? 'cluster', phase: options.client ? 'connected' : 'none' } : { label: options.clusterLabel ?? 'no cluster', phase: 'none' };
  const store = createConsoleStore(initialState(liveInfo(live), cluster));
  const reader = withCachedReads(core);
  const data = new ConsoleData(reader, store, live, {
    intervalMs: options.intervalMs ?? core.config.monitorIntervalSeconds * 1000,
    tenant: options.tenant,
  });
  // The cluster's client, once connected: for the jobs, the history's rollback target and the why view's reads.
  let client = options.client;
  const history = new HistoryLoader(reader, store, { client: () => client });
  const jobs = new JobRunner(core, store, {
    client: options.client,
    onFinished: () => {
      history.invalidate();
      void data.refreshNow();
    },
  });
  data.onRefreshed((kind) => {
    if (kind === 'tenants') history.invalidate();
  });
  let actor: string;
  try {
    actor = await core.actor();
  } catch (error) {
    actor = `unknown actor (${errorMessage(error)})`;
  }
  // As for headless commands: read-only mode, or an actor without the operator role, changes nothing.
  const operator = hasRole(actor, 'operator', core.config);
  const readOnly = core.config.readOnly || !operator;
  // Approving is not an operator's action: only read-only mode hides it (the role is checked when used).
  const mode = () => keyMode(readOnly, core.config.readOnly, store.getState().cluster.phase === 'connected');
  const bindings = () => paneKeys(store.getState().focus, mode()).bindings;
  const size = () => options.size ?? options.terminalSize?.() ?? { columns: 80, rows: 24 };
  const actions = createUIActions({
    core,
    store,
    mode,
    actor,
    actions: ACTIONS,
    jobs,
    refresh: () => void data.refreshNow(),
    exit: (outcome) => options.exit?.(outcome),
    env,
    runInTerminal: options.runInTerminal,
    layout: () => layoutFor(size()),
    rollback: rollbackSupport(),
    liveObject: (key) => data.liveObject(key),
    liveDiff: (tenant, service) => {
      const cluster = jobs.cluster();
      return cluster ? import('../pipeline/live-diff.js').then(({ liveDiff }) => liveDiff(core, cluster, { tenant, service })) : undefined;
    },
    diagnose: () => {
      const connected = client;
      if (!connected) return undefined;
      return async (workload, namespace, name) => (await import('../pipeline/diagnosis.js')).diagnoseWorkload(connected, workload, namespace, name);
    },
  });
  const info: ConsoleInfo = {
    registry: `${core.config.registry}/${core.config.imagePrefix}`,
    store: displayPath(core.config.dataDir, options.cwd ?? process.cwd()),
    actor,
    readOnly,
    mode: core.config.readOnly ? 'READ-ONLY' : operator ? undefined : `VIEW ONLY: ${actor} is not an operator`,
    intervalSeconds: Math.round((options.intervalMs ?? core.config.monitorIntervalSeconds * 1000) / 1000),
    approvalTtlMs: core.config.approvalTtlMs,
    tenant: options.tenant,
    decisionsReadOnly: core.config.readOnly,
  };
  const element = (
    <ConsoleProvider store={store} actions={actions} theme={themeFor(env, options.noColor)} info={info}>
      <ConsoleApp size={options.size} />
    </ConsoleProvider>
  );
  return {
    element,
    readOnly,
    store,
    actions,
    data,
    history,
    jobs,
    bindings,
    attachCluster(attached) {
      client = attached.client;
      jobs.setClient(attached.client);
      data.setLive(attached.live);
      store.dispatch({ type: 'cluster/changed', cluster: { label: attached.label, phase: attached.client ? 'connected' : 'none' } });
    },
    start() {
      data.start();
      history.start();
    },
    stop() {
      data.stop();
      history.stop();
    },
    async settled() {
      await jobs.settled();
      await data.idle();
      await history.idle();
    },
  };
}

/**
 * How the console asks Ink to render: keys are ours (Ctrl-C asks first while a step runs),
 * console output is not patched (stderr goes to a log file instead), and frames may come at
 * 60 per second so a key press is not held back behind the previous frame for long.
 */
export const RENDER_OPTIONS = { exitOnCtrlC: false, patchConsole: false, maxFps: 60 } as const;

export interface ConsoleOptions {
  /**
   * Opens the cluster (openCluster: the kubeconfig's, or a sandbox). Called after the first frame
   * is drawn, so a slow cluster or a sandbox starting does not keep the console from appearing.
   */
  cluster?: () => Promise<ClusterSession | undefined>;
  /** A live source instead of a cluster (tests, benchmarks). */
  live?: LiveSource;
  tenant?: string;
  env?: NodeJS.ProcessEnv;
  noColor?: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** Alternate screen and terminal restore hooks; default when stdout is a terminal. */
  fullscreen?: boolean;
}

/**
 * Opens the console; resolves with the exit code once the terminal is restored: 0 after q, 130
 * after quitting while steps ran (they stop at a safe point first; what each left is printed on
 * the normal screen).
 */
export async function runConsole(core: Core, options: ConsoleOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const fullscreen = options.fullscreen ?? stdout.isTTY === true;

  let exit: (outcome: ConsoleExit) => void = () => undefined;
  let outcome = QUIT_CLEANLY;
  const handle = await createConsole(core, {
    live: options.live,
    clusterLabel: options.cluster ? 'connecting…' : options.live ? 'cluster' : 'no cluster (set KUBECONFIG, --context or --sandbox)',
    tenant: options.tenant,
    env,
    noColor: options.noColor,
    terminalSize: () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }),
    exit: (ended) => exit(ended),
    runInTerminal: (command) => runInTerminal(command),
  });

  const guard = fullscreen ? new TerminalGuard({ stdout, stdin, stderr, stderrLog: stderr.isTTY ? path.join(core.config.dataDir, 'console.log') : undefined }) : undefined;
  guard?.enter();
  handle.start();
  const mount = () => render(handle.element, { stdout, stdin, stderr, ...RENDER_OPTIONS });
  let instance = mount();
  exit = (ended) => {
    outcome = ended;
    instance.unmount();
  };
  guard?.beforeRestore(() => instance.unmount());

  // e: Ink steps aside (unmounted; the state is in the store), the terminal is the editor's until
  // it exits — the event loop waits with it — then a new Ink instance draws the whole frame again.
  let suspended: Promise<void> | undefined;
  let runInTerminal = async (command: EditorCommand): Promise<string | undefined> => {
    let error: string | undefined;
    suspended = (async () => {
      const paused = instance;
      paused.unmount();
      await paused.waitUntilExit().catch(() => undefined);
      guard?.suspend();
      const result = spawnSync(command.command, command.args, { stdio: 'inherit', env });
      guard?.resume();
      if (result.error) error = errorMessage(result.error);
      instance = mount();
    })();
    await suspended;
    suspended = undefined;
    return error;
  };
  if (!guard) runInTerminal = async () => 'the console is not on a terminal';

  const connection = options.cluster ? connect(core, handle, options.cluster, options.tenant) : undefined;
  let code = 0;
  try {
    for (;;) {
      const running = instance;
      await running.waitUntilExit();
      const pause = suspended;
      if (!pause) break;
      await pause;
    }
  } catch (error) {
    guard?.restore();
    stderr.write(`ecp: the console stopped on an unexpected error: ${errorMessage(error)}\n`);
    code = 2;
  } finally {
    handle.stop();
    await connection?.close().catch(() => undefined);
    guard?.restore();
    guard?.dispose();
  }
  // On the normal screen, after the last frame and the restore: what the quit left behind.
  for (const line of outcome.lines) stderr.write(`${line}\n`);
  return code === 0 ? outcome.code : code;
}

/**
 * Opens the cluster in the background, then follows it: a watcher for live state, the client for
 * deploy, rollback and dry runs, and the monitor. A cluster that cannot be opened is said so in
 * the header; the console goes on with live state Unknown.
 */
function connect(core: Core, handle: ConsoleHandle, open: () => Promise<ClusterSession | undefined>, tenant: string | undefined): { close(): Promise<void> } {
  let closed = false;
  let session: ClusterSession | undefined;
  let watcher: LiveStateWatcher | undefined;
  let monitor: { stop(): void } | undefined;
  handle.store.dispatch({ type: 'cluster/changed', cluster: { label: 'connecting…', phase: 'connecting' } });
  const opening = (async () => {
    try {
      session = await open();
      if (closed) return;
      if (!session) {
        handle.store.dispatch({ type: 'cluster/changed', cluster: { label: 'no cluster (set KUBECONFIG, --context or --sandbox)', phase: 'none' } });
        return;
      }
      const { LiveStateWatcher } = await import('../monitor/live-state.js');
      const client = session.client;
      watcher = new LiveStateWatcher(client, {
        namespaces: () => [...new Set(handle.store.getState().tenants.flatMap((t) => t.rows.map((r) => r.namespace)))],
      });
      handle.attachCluster({ live: watcher, client, label: session.cluster.description });
      void watcher.start().catch(() => undefined);
      if (!handle.readOnly) monitor = startMonitor(core, client, watcher, handle, tenant);
    } catch (error) {
      if (closed) return;
      const message = errorMessage(error);
      handle.store.dispatch({ type: 'cluster/changed', cluster: { label: 'no cluster', phase: 'failed', error: message } });
      handle.store.dispatch({ type: 'message', message: { text: `The cluster could not be opened: ${message}`, tone: 'error', at: Date.now() } });
    }
  })();
  return {
    async close() {
      closed = true;
      await opening;
      monitor?.stop();
      await watcher?.stop().catch(() => undefined);
      await session?.close();
    },
  };
}

/** The pipeline log's entry for the monitor: what it rolls back on its own, and how often it looks. */
export function monitorTitle(config: Pick<Core['config'], 'autoRollback' | 'monitorIntervalSeconds'>): string {
  const services = config.autoRollback.services;
  const policy = services.length ? `auto-rollback for ${services.join(', ')}` : 'no auto-rollback (autoRollback.services is empty)';
  return `monitor · ${policy} · every ${config.monitorIntervalSeconds}s`;
}

/**
 * The monitor (deployment records, auto-rollback policy) runs in the console as in `ecp monitor`,
 * on the watcher's snapshot, from the first good read on. Its lines go to the pipeline log.
 */
function startMonitor(core: Core, client: KubeClient, watcher: LiveStateWatcher, handle: ConsoleHandle, tenant: string | undefined): { stop(): void } {
  const title = monitorTitle(core.config);
  let stopped = false;
  let monitor: { stop(): void } | undefined;
  const begin = () => {
    if (monitor || stopped || !watcher.snapshot().reachable) return;
    watcher.off('change', begin);
    // Loaded on the first good read: the monitor brings the rollback pipeline with it.
    monitor = { stop: () => undefined };
    void import('../monitor/monitor.js').then(({ Monitor }) => {
      if (stopped) return;
      const running = new Monitor(core, client, { tenant, readLive: async () => watcher.snapshot(), changes: watcher, reader: handle.data.core });
      running.on('event', (event: MonitorEvent) => handle.jobs.monitorEvent(event, title));
      running.start(core.config.monitorIntervalSeconds * 1000);
      monitor = running;
    });
  };
  watcher.on('change', begin);
  begin();
  return {
    stop() {
      stopped = true;
      watcher.off('change', begin);
      monitor?.stop();
    },
  };
}
