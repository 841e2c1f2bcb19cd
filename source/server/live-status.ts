/**
 * The status the server shows and streams: a watcher keeps live state current, and every change
 * (in the cluster, or after a request that changed something, or on the monitor interval for
 * changes made by others) recomputes the report; subscribers hear only reports that differ.
 */
import { EventEmitter } from 'node:events';
import type { KubeClient } from '../pipeline/cluster-session.js';
import type { Core } from '../core.js';
import { errorMessage } from '../errors.js';
import { LiveStateWatcher } from '../monitor/live-state.js';
import { reportScope, statusReport, type StatusReport } from '../pipeline/status-report.js';

export interface LiveCluster {
  client: KubeClient;
  description: string;
}

const SETTLE_MS = 100;

export class LiveStatus extends EventEmitter {
  private watcher?: LiveStateWatcher;
  private namespaces: string[] = [];
  private last?: string;
  private pending?: NodeJS.Timeout;
  private interval?: NodeJS.Timeout;

  constructor(
    private readonly core: Core,
    readonly cluster: LiveCluster | undefined,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.namespaces = (await reportScope(this.core)).namespaces;
    if (this.cluster) {
      this.watcher = new LiveStateWatcher(this.cluster.client, { namespaces: () => this.namespaces });
      this.watcher.on('change', () => this.changed());
      await this.watcher.start();
    }
    this.interval = setInterval(() => this.changed(), this.core.config.monitorIntervalSeconds * 1000);
    this.interval.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.pending);
    clearInterval(this.interval);
    await this.watcher?.stop();
  }

  /** Whether the cluster answered the last read (undefined: no cluster configured). */
  reachable(): { reachable: boolean; error?: string } | undefined {
    if (!this.watcher) return undefined;
    const snapshot = this.watcher.snapshot();
    return { reachable: snapshot.reachable, error: snapshot.error };
  }

  async report(tenantId?: string): Promise<StatusReport> {
    const { tenants, namespaces } = await reportScope(this.core, tenantId);
    if (!tenantId) this.namespaces = namespaces;
    return statusReport(this.core, tenants, this.watcher?.snapshot(), this.cluster?.description ?? 'no cluster configured');
  }

  /** Something may have changed: recompute shortly (a burst of changes is one report). */
  changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.report()
        .then((report) => {
          const { checkedAt: _, ...facts } = report;
          const key = JSON.stringify(facts);
          if (key === this.last) return;
          this.last = key;
          this.emit('report', report);
        })
        .catch((error: unknown) => this.emit('failure', errorMessage(error)));
    }, SETTLE_MS);
  }
}
