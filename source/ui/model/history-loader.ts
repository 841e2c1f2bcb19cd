/**
 * Keeps the version history (and deployment records) of the selected service loaded: when the
 * selection settles on another service, and after every refresh. Reads the store in the
 * background (through a core whose reads are cached while store.json is unchanged).
 */
import type { Core } from '../../core.js';
import { errorMessage } from '../../errors.js';
import type { DeploymentRecord } from '../../domain/types.js';
import type { KubeClient } from '../../pipeline/cluster-session.js';
import { defaultRollbackTarget } from '../../pipeline/rollback-target.js';
import { selectedService, selectedTenant } from './selectors.js';
import type { ConsoleStore } from './store.js';

export interface HistoryLoaderOptions {
  /** Wait this long after the selection moved before reading (fast scrolling reads once). */
  debounceMs?: number;
  /** Deployment records kept for the details view. */
  deployments?: number;
  /** The cluster's client once connected: without a record, the target is the live workloads' previous revision. */
  client?: () => KubeClient | undefined;
}

const newest = (a: DeploymentRecord, b: DeploymentRecord) => b.startedAt.localeCompare(a.startedAt);

export class HistoryLoader {
  private key?: string;
  /** The live image the last read chose the rollback target for. */
  private liveImage?: string;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private generation = 0;
  private pending?: Promise<void>;

  constructor(
    private readonly core: Core,
    private readonly store: ConsoleStore,
    private readonly options: HistoryLoaderOptions = {},
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe(() => this.selectionMaybeChanged());
    this.selectionMaybeChanged();
  }

  stop(): void {
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  /** The store may have changed (a refresh, an action): read it again for the selected service. */
  invalidate(): void {
    const state = this.store.getState();
    const tenant = selectedTenant(state);
    const service = selectedService(state);
    if (!tenant || !service) return;
    // The same service: its history stays on screen until the new read replaces it.
    if (`${tenant.id}/${service.service}` !== this.key) return this.selectionMaybeChanged();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.load(tenant.id, service.service).finally(() => (this.pending = undefined));
    }, 0);
  }

  /** Resolves when the last requested read has finished (tests). */
  async idle(): Promise<void> {
    while (this.timer || this.pending) {
      if (this.pending) await this.pending;
      else await new Promise((r) => setTimeout(r, 5));
    }
  }

  private selectionMaybeChanged(wait = this.options.debounceMs ?? 60): void {
    const state = this.store.getState();
    const tenant = selectedTenant(state);
    const service = selectedService(state);
    const key = tenant && service ? `${tenant.id}/${service.service}` : '';
    if (key === this.key) {
      // The same service, but another image runs now (or live state just came): the rollback
      // target depends on it, so read again.
      if (service && service.liveImage !== this.liveImage) {
        this.liveImage = service.liveImage;
        this.invalidate();
      }
      return;
    }
    this.key = key;
    this.liveImage = service?.liveImage;
    clearTimeout(this.timer);
    if (!tenant || !service) return;
    this.store.dispatch({ type: 'history/loading', tenantId: tenant.id, service: service.service });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.load(tenant.id, service.service).finally(() => (this.pending = undefined));
    }, wait);
  }

  /** The rollback target `ecp rollback` would choose, through the one pipeline function: records, else the live workloads' previous revision. */
  private async rollbackTarget(tenantId: string, service: string, liveImage: string | undefined) {
    const client = this.options.client?.();
    const row = this.store
      .getState()
      .tenants.find((t) => t.id === tenantId)
      ?.rows.find((r) => r.service === service);
    const live = client && row?.liveImage ? { client, workloads: row.workloads } : undefined;
    try {
      return await defaultRollbackTarget(this.core, tenantId, service, liveImage, live);
    } catch {
      // A cluster that cannot be read now offers no revision; the history itself stays.
      return undefined;
    }
  }

  private async load(tenantId: string, service: string): Promise<void> {
    const generation = ++this.generation;
    const liveImage = selectedService(this.store.getState())?.liveImage;
    try {
      const data = await this.core.store.read();
      const hot = data.versions.filter((v) => v.serviceName === service);
      const archived = await this.core.store.archivedVersions(service, hot);
      const versions = [...hot, ...archived].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const deployments = data.deployments
        .filter((d) => d.tenantId === tenantId && d.serviceName === service)
        .sort(newest)
        .slice(0, this.options.deployments ?? 20);
      // The dialog offers what `ecp rollback` would choose: one function, over every record —
      // and, where ecp recorded nothing, over the live workloads' revisions.
      const target = await this.rollbackTarget(tenantId, service, liveImage);
      if (generation !== this.generation) return;
      this.store.dispatch({
        type: 'history/loaded',
        tenantId,
        service,
        versions,
        deployments,
        rollbackTarget: { liveImage, image: target && 'image' in target ? target.image : undefined, none: target && 'none' in target ? target.none : undefined },
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.store.dispatch({ type: 'history/failed', tenantId, service, error: errorMessage(error) });
    }
  }
}
