/**
 * The refresh loop of the console (DESIGN §7): manifests + store + live state → tenant views,
 * pushed into the console store. It re-reads every `intervalMs` (the header counts down to it),
 * on demand (R, after an action), and whenever the live watcher reports a change. Reads run in
 * the background and are coalesced: one at a time, the latest request wins.
 */
import type { Core } from '../../core.js';
import { watchManifestsAndStore, type ChangeWatch } from '../../pipeline/change-watch.js';
import { errorMessage } from '../../errors.js';
import { protectedNamespaces } from '../../domain/approvals.js';
import { liveWorkloadOf, type LiveSnapshot } from '../../domain/status.js';
import { collectStatus, manifestsSignature, readTenants, type Tenant } from '../../monitor/status-view.js';
import type { ConsoleStore } from './store.js';
import type { ContainerView, LiveInfo, ServiceView, TenantView } from './state.js';

/** What the console needs of live state: LiveStateWatcher fits, and so does a fixed snapshot. */
export interface LiveSource {
  snapshot(): LiveSnapshot;
  /** Re-list now. */
  refresh(): Promise<void>;
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
}

export interface ConsoleDataOptions {
  intervalMs: number;
  /** Only this tenant (--tenant). */
  tenant?: string;
  /** Wait after a live change before re-reading, to take a burst of watch events at once. */
  settleMs?: number;
  /**
   * Follow the manifests folder and the store file with file-system events, so a change made
   * from another terminal shows within a second (default true); the interval is the safety net.
   */
  watchFiles?: boolean;
  now?: () => number;
}

export function liveInfo(live: LiveSource | undefined): LiveInfo {
  if (!live) return { configured: false, reachable: false, error: 'no cluster configured' };
  const s = live.snapshot();
  return { configured: true, reachable: s.reachable, lastGoodAt: s.lastGoodAt, error: s.error };
}

const containersOf = (spec: { containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] } | undefined): ContainerView[] => [
  ...(spec?.initContainers ?? []).map((c) => ({ name: `${c.name ?? '?'} (init)`, image: c.image })),
  ...(spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })),
];

export async function readTenantViews(core: Core, tenants: readonly Tenant[], live: LiveSnapshot | undefined, now: number): Promise<TenantView[]> {
  const statuses = await collectStatus(core, tenants, live, now);
  const patterns = [...core.config.autoRollback.protectedNamespaces, ...core.config.requireApproval];
  return statuses.map((status, i) => {
    const tenant = tenants[i]!;
    const rows: ServiceView[] = status.rows.map((row, j) => {
      // The workload the row's state names (the worst of the service's workloads).
      const manifest = tenant.services[j]!.workloads.find((w) => w.name === row.workload && w.kind === row.workloadKind)!;
      const liveObject = liveWorkloadOf(live, manifest)?.object;
      // Not `{ ...row, kind, … }`: on Node 20 that gives each of the 1 000 rows a map of its own.
      return Object.assign({}, row, {
        kind: manifest.kind,
        file: manifest.file,
        line: manifest.line,
        containers: manifest.containers.map((c) => ({ name: c.list === 'initContainers' ? `${c.name ?? '?'} (init)` : c.name, image: c.image, own: c.service === row.service })),
        liveContainers: liveObject ? containersOf(liveObject.spec?.template?.spec as Parameters<typeof containersOf>[0]) : undefined,
      });
    });
    return {
      id: status.id,
      namespace: status.namespace,
      rows,
      worst: status.worst,
      yamlErrors: status.yamlErrors,
      protectedNamespaces: protectedNamespaces(
        status.rows.flatMap((r) => r.workloads.map((w) => w.namespace)),
        patterns,
      ),
    };
  });
}

export class ConsoleData {
  private tenants: Tenant[] = [];
  private signature?: string;
  private tenantsError?: string;
  private timer?: NodeJS.Timeout;
  private settleTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** A read was asked for while one ran: 'tenants' re-reads the manifests too. */
  private queued?: 'live' | 'tenants';
  private stopped = true;
  private readonly now: () => number;
  private readonly onLiveChange = () => this.liveChanged();
  /** Stops following the store's changes (the team store reports another operator's). */
  private unwatchStore?: () => void;
  private readonly listeners = new Set<(kind: 'live' | 'tenants') => void>();
  private watch?: ChangeWatch;
  private fileTimer?: NodeJS.Timeout;

  constructor(
    /** The console's core with cached reads, shared by everything that only reads (the monitor's passes too). */
    readonly core: Core,
    private readonly store: ConsoleStore,
    private live: LiveSource | undefined,
    private readonly options: ConsoleDataOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.live?.on('change', this.onLiveChange);
    // Another terminal's change shows at once; the interval is the safety net.
    if (this.options.watchFiles !== false) this.watch = watchManifestsAndStore(this.core.config, () => this.filesChanged());
    // The team store reports another operator's change as it happens.
    this.unwatchStore = this.core.store.watch?.(() => this.filesChanged());
    void this.refreshNow();
  }

  private filesChanged(): void {
    if (this.fileTimer || this.stopped) return;
    this.fileTimer = setTimeout(() => {
      this.fileTimer = undefined;
      if (!this.stopped) void this.read('tenants');
    }, this.options.settleMs ?? 150);
  }

  /** Live state arrived (the cluster connected after the console opened): follow it from now on. */
  setLive(live: LiveSource | undefined): void {
    this.live?.off('change', this.onLiveChange);
    this.live = live;
    if (!this.stopped) this.live?.on('change', this.onLiveChange);
    this.store.dispatch({ type: 'data/live', live: liveInfo(this.live) });
    if (!this.stopped) void this.read('live');
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.fileTimer);
    this.watch?.close();
    this.watch = undefined;
    this.live?.off('change', this.onLiveChange);
    this.unwatchStore?.();
  }

  /** The live object keyed `${namespace}/${name}` in the last snapshot. */
  liveObject(key: string): object | undefined {
    return this.live?.snapshot().deployments.get(key);
  }

  /** Called after every finished read, with what was re-read ('tenants': manifests and store too). */
  onRefreshed(listener: (kind: 'live' | 'tenants') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-read manifests, store and cluster now, and restart the countdown. */
  refreshNow(): Promise<void> {
    this.schedule();
    // The re-list reports through 'change'; the read below does not wait for a slow cluster.
    this.live?.refresh().catch(() => undefined);
    return this.read('tenants');
  }

  /** Resolves when no read is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const nextAt = this.now() + this.options.intervalMs;
    this.store.dispatch({ type: 'refresh/scheduled', nextAt });
    this.timer = setTimeout(() => void this.refreshNow(), this.options.intervalMs);
    this.timer.unref?.();
  }

  private liveChanged(): void {
    this.store.dispatch({ type: 'data/live', live: liveInfo(this.live) });
    if (this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      void this.read('live');
    }, this.options.settleMs ?? 150);
  }

  private read(kind: 'live' | 'tenants'): Promise<void> {
    if (this.running) {
      this.queued = this.queued === 'tenants' || kind === 'tenants' ? 'tenants' : 'live';
      return this.running;
    }
    this.store.dispatch({ type: 'refresh/started' });
    const run = this.readOnce(kind).finally(() => {
      this.running = undefined;
      const next = this.queued;
      this.queued = undefined;
      for (const listener of this.listeners) listener(kind);
      if (next && !this.stopped) void this.read(next);
    });
    this.running = run;
    return run;
  }

  private async readOnce(kind: 'live' | 'tenants'): Promise<void> {
    if (kind === 'tenants' || this.signature === undefined) {
      const signature = await manifestsSignature(this.core.config.manifestsDir);
      if (signature !== this.signature || this.tenantsError !== undefined) {
        try {
          this.tenants = await readTenants(this.core, this.options.tenant);
          this.tenantsError = this.tenants.length === 0 ? `No tenants found in ${this.core.config.manifestsDir}.` : undefined;
          this.signature = signature;
        } catch (error) {
          // Keep what was read before; say why it could not be read now.
          this.tenantsError = errorMessage(error);
        }
      }
    }
    const at = this.now();
    const snapshot = this.live?.snapshot();
    try {
      const tenants = await readTenantViews(this.core, this.tenants, snapshot, at);
      // The approvals, for the header's count and the approvals view (a cached read: the status
      // above read the same store.json).
      const approvals = (await this.core.store.read()).approvals.filter((a) => this.options.tenant === undefined || a.tenantId === this.options.tenant);
      if (this.stopped) return;
      this.store.dispatch({ type: 'data/loaded', tenants, live: liveInfo(this.live), at, error: this.tenantsError, approvals });
    } catch (error) {
      if (this.stopped) return;
      const state = this.store.getState();
      this.store.dispatch({ type: 'data/loaded', tenants: state.tenants, live: liveInfo(this.live), at, error: errorMessage(error) });
    }
  }
}
