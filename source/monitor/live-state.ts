/**
 * Live cluster state for the status views: a one-shot read (`ecp --once`) and a watcher that
 * keeps a snapshot current with one cluster-wide list + watch (the console and the monitor).
 * Pods are read only for namespaces where a Deployment is not Healthy, so a healthy cluster
 * costs one list request however many Deployments it has.
 */
import { EventEmitter } from 'node:events';
import { Watch, type V1Deployment } from '@kubernetes/client-node';
import { errorMessage } from '../errors.js';
import { deploymentHealth } from '../domain/health.js';
import type { LiveDeployment, LivePod } from '../domain/kube-types.js';
import type { LiveSnapshot } from '../domain/status.js';
import { debug } from '../log.js';
import { statusCodeOf, type KubeClient } from '../adapters/kube.js';

const key = (d: V1Deployment) => `${d.metadata?.namespace}/${d.metadata?.name}`;

function namespacesNeedingPods(deployments: Iterable<LiveDeployment>): string[] {
  const namespaces = new Set<string>();
  for (const d of deployments) {
    if (deploymentHealth(d).status === 'Progressing' && d.metadata?.namespace) namespaces.add(d.metadata.namespace);
  }
  return [...namespaces];
}

async function readPods(client: KubeClient, namespaces: string[]): Promise<Map<string, LivePod[]>> {
  const entries = await Promise.all(namespaces.map(async (ns) => [ns, ((await client.listPods(ns)) ?? []) as LivePod[]] as const));
  return new Map(entries);
}

/** One read of everything the status views need. Throws ClusterError when unreachable. */
export async function readLiveSnapshot(client: KubeClient, namespaces: readonly string[]): Promise<LiveSnapshot> {
  const list = await client.listDeployments(namespaces);
  const deployments = new Map(list.items.map((d) => [key(d), d as LiveDeployment]));
  const pods = await readPods(client, namespacesNeedingPods(deployments.values()));
  return { reachable: true, lastGoodAt: Date.now(), deployments, pods, unreadable: list.unreadable };
}

export interface WatcherOptions {
  /** Namespaces of interest, for the per-namespace fallback where RBAC forbids cluster scope. */
  namespaces: () => readonly string[];
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
  /** How long the server keeps one watch open (its `timeoutSeconds`); default 20. */
  watchTimeoutSeconds?: number;
}

/** How much longer than its timeout a watch may stay silent before it is taken for hung. */
const WATCH_GRACE_MS = 5_000;

/**
 * Keeps a LiveSnapshot current: one list of every Deployment, then a watch from the list's
 * resourceVersion (re-watching when the server ends it, re-listing on 410 Gone). Emits 'change'
 * whenever the snapshot changes. Only a list or a watch event that really arrived counts as a
 * good read: while the API is unreachable the last good data stays, marked unreachable, and the
 * watcher retries with backoff. Where RBAC forbids cluster scope it polls the tenants'
 * namespaces on refresh instead.
 */
export class LiveStateWatcher extends EventEmitter {
  private deployments = new Map<string, LiveDeployment>();
  private pods = new Map<string, LivePod[]>();
  private reachable = false;
  private lastGoodAt?: number;
  private error?: string = 'not read yet';
  private unreadable = new Map<string, string>();
  private resourceVersion?: string;
  private watch?: AbortController;
  /** The watch being opened (its request not answered yet), so a second one is not opened beside it. */
  private opening?: object;
  /** Restarts a watch that shows nothing (no event, no bookmark, no end) within its window. */
  private watchdog?: NodeJS.Timeout;
  private polling = false;
  private stopped = true;
  private backoffMs = 500;
  private retryTimer?: NodeJS.Timeout;
  private podsTimer?: NodeJS.Timeout;

  constructor(
    private readonly client: KubeClient,
    private readonly options: WatcherOptions,
  ) {
    super();
  }

  snapshot(): LiveSnapshot {
    return { reachable: this.reachable, lastGoodAt: this.lastGoodAt, error: this.error, deployments: this.deployments, pods: this.pods, unreadable: this.unreadable };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.podsTimer);
    clearTimeout(this.watchdog);
    this.watch?.abort();
    this.watch = undefined;
  }

  /** Re-list now (the console's R key, the monitor's tick); the watch goes on from the new list. */
  async refresh(): Promise<void> {
    await this.relist();
  }

  private async relist(): Promise<void> {
    try {
      const list = await this.client.listDeployments(this.options.namespaces());
      this.deployments = new Map(list.items.map((d) => [key(d), d as LiveDeployment]));
      this.resourceVersion = list.resourceVersion;
      this.unreadable = list.unreadable;
      this.polling = list.scope === 'namespaces';
      // A refresh answers with the pods too, so its caller judges health on complete data.
      this.pods = await readPods(this.client, namespacesNeedingPods(this.deployments.values()));
      this.markGood();
      if (!this.polling && !this.watch && !this.opening && !this.stopped) await this.startWatch();
    } catch (error) {
      this.markBad(error);
      this.scheduleRetry();
    }
  }

  private async startWatch(): Promise<void> {
    const watch = new Watch(this.client.cluster.kc);
    let controller: AbortController | undefined;
    // client-node can report the end of a watch before watch() itself returns (a refused
    // connection): such a watch must never be kept as the live one.
    let ended = false;
    // client-node's watch has no timeout of its own: against a hung server it would wait, and
    // the console would show the last data as fresh, forever. A watch silent for longer than
    // the server's own timeout (it ends every watch then, and sends a bookmark before) is
    // dropped, and the state listed again — with the request timeout, so a hung server turns
    // the snapshot unreachable.
    const token = {};
    this.opening = token;
    let abandoned = false;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 20;
    const windowMs = timeoutSeconds * 1000 + WATCH_GRACE_MS;
    const abandon = () => {
      abandoned = true;
      if (this.opening === token) this.opening = undefined;
      if (controller !== undefined && this.watch === controller) this.watch = undefined;
      controller?.abort();
      debug('live', `the watch showed nothing for ${windowMs} ms: listing again`);
      if (!this.stopped) void this.relist();
    };
    const touch = () => {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(abandon, windowMs);
    };
    touch();
    const onEvent = (type: string, object: V1Deployment & { code?: number; metadata?: { resourceVersion?: string } }) => {
      if (abandoned) return;
      touch();
      if (type === 'ERROR') {
        // 410 Gone: the resourceVersion is too old to resume from; list again.
        if (controller === this.watch) this.watch = undefined;
        controller?.abort();
        void this.relist();
        return;
      }
      if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
      if (type === 'BOOKMARK') return;
      if (type === 'DELETED') this.deployments.delete(key(object));
      else this.deployments.set(key(object), object as LiveDeployment);
      this.markGood();
    };
    const onDone = (error: unknown) => {
      ended = true;
      if (abandoned) return;
      clearTimeout(this.watchdog);
      if (controller !== undefined && this.watch !== controller) return; // replaced or stopped on purpose
      this.watch = undefined;
      if (this.stopped) return;
      if (!error) {
        // The server ended the watch (its timeout): go on from where it stopped.
        void this.startWatch();
        return;
      }
      if (statusCodeOf(error) === 410 || (error as { statusCode?: number }).statusCode === 410) {
        void this.relist();
        return;
      }
      this.markBad(error);
      this.scheduleRetry();
    };
    try {
      controller = await watch.watch('/apis/apps/v1/deployments', { allowWatchBookmarks: true, resourceVersion: this.resourceVersion, timeoutSeconds }, onEvent, onDone);
      if (abandoned) controller.abort();
      else if (!ended) this.watch = controller;
    } catch (error) {
      if (abandoned) return;
      clearTimeout(this.watchdog);
      this.markBad(error);
      this.scheduleRetry();
    } finally {
      if (this.opening === token) this.opening = undefined;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    debug('live', `reconnecting in ${wait} ms`);
    this.retryTimer = setTimeout(() => void this.relist(), wait);
  }

  private markGood(): void {
    this.reachable = true;
    this.lastGoodAt = Date.now();
    this.error = undefined;
    this.backoffMs = 500;
    this.schedulePods();
    this.emit('change');
  }

  private markBad(error: unknown): void {
    this.reachable = false;
    this.error = errorMessage((error as { cause?: unknown })?.cause ?? error).split('\n')[0];
    this.emit('change');
  }

  /** Pods are re-read shortly after a burst of changes, for namespaces that need them. */
  private schedulePods(): void {
    if (this.podsTimer) return;
    this.podsTimer = setTimeout(() => {
      this.podsTimer = undefined;
      const namespaces = namespacesNeedingPods(this.deployments.values());
      readPods(this.client, namespaces)
        .then((pods) => {
          this.pods = pods;
          this.emit('change');
          if (namespaces.length > 0 && !this.stopped) this.schedulePods();
        })
        .catch((error: unknown) => debug('live', `reading pods failed: ${errorMessage(error)}`));
    }, 300);
  }
}
