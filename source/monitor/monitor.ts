/**
 * The monitor (issue 6; the specification's DeploymentMonitor): every interval it refreshes live
 * state, keeps deployment records current (a progressing or pending record whose image went live
 * healthy succeeds; one that turned Degraded fails), and applies the auto-rollback policy —
 * both decided and written by the pipeline (pipeline/monitor-actions.ts); this loops and logs.
 * The console runs it; `ecp monitor` runs it headless.
 */
import { EventEmitter } from 'node:events';
import type { Tenant } from '../adapters/manifests.js';
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import { autoRollbackDecision, latestRecord } from '../domain/rollback.js';
import type { LiveSnapshot, ServiceStatus } from '../domain/status.js';
import type { DeploymentRecord } from '../domain/types.js';
import { errorMessage } from '../errors.js';
import { ServiceBusyError } from '../pipeline/exclusive.js';
import { autoRollback, settleRecord } from '../pipeline/monitor-actions.js';
import { collectStatus, readTenants } from './status-view.js';

export interface MonitorEvent {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  tenant?: string;
  service?: string;
}

export interface MonitorOptions {
  /** Reads live state for one tick (a watcher's snapshot after a refresh, or a one-shot read). */
  readLive: (tenants: readonly Tenant[]) => Promise<LiveSnapshot>;
  tenant?: string;
  rollbackTimeoutMs?: number;
  /** Auto-rollbacks write the manifest without checking the image in the registry (audited). */
  skipRegistryCheck?: boolean;
  /** Emits 'change' when live state changes: a pass then runs at once (coalesced). */
  changes?: EventEmitter;
  /**
   * The same core with cached reads (the console's): a pass runs on every live change, and
   * parsing a store of 10 000 versions each time was most of a refresh's garbage. Its decisions
   * are checked again under the lock by the pipeline calls that write, through `core`.
   */
  reader?: Core;
}

/** How soon an auto-rollback refused because another change holds the service is tried again. */
const BUSY_RETRY_MS = 2_000;

export class Monitor extends EventEmitter {
  /** tenant/service@image already decided on, so each failed image is handled (and logged) once. */
  private readonly handled = new Set<string>();
  /**
   * tenant/service@image whose auto-rollback waits for another change to let go of the service,
   * and when it is tried again: passes meanwhile (every live change runs one) neither try nor log.
   */
  private readonly waiting = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<ServiceStatus[]>;
  private saidReadOnly = false;
  /** Stops following the store's changes (another operator's deploy or approval runs a pass at once). */
  private unwatchStore?: () => void;
  private again = false;
  private readonly onChange = () => {
    if (this.timer === undefined) return;
    if (this.running) this.again = true;
    else void this.tick();
  };

  constructor(
    private readonly core: Core,
    private readonly client: KubeClient,
    private readonly options: MonitorOptions,
  ) {
    super();
  }

  private log(level: MonitorEvent['level'], message: string, row?: ServiceStatus): void {
    const event: MonitorEvent = { at: new Date().toISOString(), level, message, tenant: row?.tenantId, service: row?.service };
    this.emit('event', event);
  }

  start(intervalMs: number): void {
    const loop = async () => {
      await this.tick();
      if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, 0);
    this.options.changes?.on('change', this.onChange);
    this.unwatchStore = this.core.store.watch?.(this.onChange);
  }

  stop(): void {
    this.options.changes?.off('change', this.onChange);
    this.unwatchStore?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass; concurrent calls share the pass in flight. */
  tick(): Promise<ServiceStatus[]> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
      // A change seen during the pass gets a pass of its own — unless the monitor was stopped meanwhile.
      if (this.again && this.timer !== undefined) {
        this.again = false;
        void this.tick();
      }
    });
    return this.running;
  }

  private async pass(): Promise<ServiceStatus[]> {
    let rows: ServiceStatus[];
    try {
      const tenants = await readTenants(this.core, this.options.tenant);
      const live = await this.options.readLive(tenants);
      rows = (await collectStatus(this.options.reader ?? this.core, tenants, live)).flatMap((t) => t.rows);
      if (!live.reachable) this.log('warn', `cluster unreachable (${live.error ?? 'no answer'}): state is Unknown, no rollback decisions`);
    } catch (error) {
      this.log('error', `refresh failed: ${errorMessage(error)}`);
      return [];
    }
    // Read-only: it watches and reports, and changes nothing (no record settled, no rollback).
    if (this.core.config.readOnly) {
      if (!this.saidReadOnly) this.log('info', 'read-only mode: deployment records are not settled and nothing is rolled back automatically');
      this.saidReadOnly = true;
      return rows;
    }
    try {
      const records = (await (this.options.reader ?? this.core).store.read()).deployments;
      for (const row of rows) {
        const latest = latestRecord(records, row.tenantId, row.service);
        await this.settleRecord(row, latest);
        await this.considerRollback(row, latest);
      }
    } catch (error) {
      // The store failed under a decision (locked too long, a team store's API server gone): said,
      // and the next pass decides again. A rejected pass would end `ecp monitor` and the console.
      this.log('error', `settling records failed: ${errorMessage(error)}`);
    }
    return rows;
  }

  /** A record still open whose image is now live and Healthy succeeded; Degraded, it failed. */
  private async settleRecord(row: ServiceStatus, latest: DeploymentRecord | undefined): Promise<void> {
    const status = await settleRecord(this.core, this.client, row, latest);
    if (!status || !latest) return;
    latest.status = status;
    this.log(status === 'failed' ? 'warn' : 'info', `${row.tenantId}/${row.service}: ${latest.kind} of ${latest.toImage} ${status}`, row);
  }

  private async considerRollback(row: ServiceStatus, latest: DeploymentRecord | undefined): Promise<void> {
    const decision = autoRollbackDecision(row, latest, this.core.config.autoRollback, this.handled);
    if (!decision.rollback) {
      if (decision.notable && row.liveImage) {
        const key = `${row.tenantId}/${row.service}@${row.liveImage}`;
        if (!this.handled.has(key)) {
          this.handled.add(key);
          this.log('warn', `no auto-rollback: ${decision.why}`, row);
        }
      }
      return;
    }
    const key = `${row.tenantId}/${row.service}@${latest!.toImage}`;
    const waitingUntil = this.waiting.get(key);
    if (waitingUntil !== undefined && Date.now() < waitingUntil) return;
    this.handled.add(key);
    if (waitingUntil === undefined) this.log('warn', `${row.tenantId}/${row.service} is Degraded after deploying ${latest!.toImage}: rolling back automatically`, row);
    this.waiting.delete(key);
    try {
      const result = await autoRollback(this.core, this.client, row, latest!, decision.reason, {
        timeoutMs: this.options.rollbackTimeoutMs,
        skipRegistryCheck: this.options.skipRegistryCheck,
        onEvent: (e) => this.log(e.status === 'warn' ? 'warn' : 'info', e.message, row),
      });
      this.log(result.ok ? 'info' : 'error', `${row.tenantId}/${row.service}: auto-rollback to ${result.to} ${result.ok ? 'succeeded' : `did not become healthy: ${result.message}`}`, row);
    } catch (error) {
      if (error instanceof ServiceBusyError) {
        // Another change holds the service (often the deploy whose rollout this is, still waiting on it): try again once it let go.
        this.handled.delete(key);
        if (waitingUntil === undefined) this.log('warn', `${row.tenantId}/${row.service}: auto-rollback waits: ${error.message}`, row);
        this.waiting.set(key, Date.now() + BUSY_RETRY_MS);
        setTimeout(this.onChange, BUSY_RETRY_MS).unref();
        return;
      }
      this.log('error', `${row.tenantId}/${row.service}: auto-rollback failed: ${errorMessage(error)}`, row);
    }
  }
}
