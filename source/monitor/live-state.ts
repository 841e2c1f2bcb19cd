/**
 * Live cluster state for the status views: a one-shot read (`ecp --once`) and a watcher that
 * keeps a snapshot current with one cluster-wide list + watch (the console and the monitor).
 * Pods are read only for namespaces where a Deployment is not Healthy, so a healthy cluster
 * costs one list request however many Deployments it has.
 */
import { EventEmitter } from 'node:events';
import { makeInformer, type Informer, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
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
  const entries = await Promise.all(namespaces.map(async (ns) => [ns, (await client.listPods(ns)) as LivePod[]] as const));
  return new Map(entries);
}

/** One read of everything the status views need. Throws ClusterError when unreachable. */
export async function readLiveSnapshot(client: KubeClient, namespaces: readonly string[]): Promise<LiveSnapshot> {
  const list = await client.listDeployments(namespaces);
  const deployments = new Map(list.items.map((d) => [key(d), d as LiveDeployment]));
  const pods = await readPods(client, namespacesNeedingPods(deployments.values()));
  return { reachable: true, lastGoodAt: Date.now(), deployments, pods };
}

export interface WatcherOptions {
  /** Namespaces of interest, for the per-namespace fallback where RBAC forbids cluster scope. */
  namespaces: () => readonly string[];
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
}

/**
 * Keeps a LiveSnapshot current. Emits 'change' whenever the snapshot changes (data arrived,
 * the API went away or came back). While unreachable it keeps the last good data, marked so.
 */
export class LiveStateWatcher extends EventEmitter {
  private deployments = new Map<string, LiveDeployment>();
  private pods = new Map<string, LivePod[]>();
  private reachable = false;
  private lastGoodAt?: number;
  private error?: string = 'not read yet';
  private informer?: Informer<V1Deployment>;
  private polling = false;
  private stopped = false;
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
    return { reachable: this.reachable, lastGoodAt: this.lastGoodAt, error: this.error, deployments: this.deployments, pods: this.pods };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.podsTimer);
    const informer = this.informer;
    this.informer = undefined;
    await informer?.stop().catch(() => undefined);
  }

  /** Re-list now (the console's R key, the monitor's tick). */
  async refresh(): Promise<void> {
    try {
      const snapshot = await readLiveSnapshot(this.client, this.options.namespaces());
      this.deployments = new Map(snapshot.deployments);
      this.pods = new Map([...snapshot.pods].map(([ns, p]) => [ns, [...p]]));
      this.markGood();
    } catch (error) {
      this.markBad(error);
      if (!this.informer && !this.polling) this.scheduleReconnect();
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const apps = this.client.apps;
    const informer = makeInformer<V1Deployment>(this.client.cluster.kc, '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces());
    const changed = (d: V1Deployment) => {
      this.deployments.set(key(d), d as LiveDeployment);
      this.markGood();
    };
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', (d) => {
      this.deployments.delete(key(d));
      this.markGood();
    });
    informer.on('connect', () => this.markGood());
    informer.on('error', (error) => {
      if (this.informer !== informer) return; // stopped on purpose
      this.informer = undefined;
      this.markBad(error);
      this.scheduleReconnect();
    });
    this.informer = informer;
    try {
      await informer.start();
      // The informer's cache is the truth after a (re)connect: drop what disappeared meanwhile.
      this.deployments = new Map(informer.list().map((d) => [key(d), d as LiveDeployment]));
      this.markGood();
    } catch (error) {
      if (this.informer === informer) this.informer = undefined;
      await informer.stop().catch(() => undefined);
      if (statusCodeOf(error) === 403) {
        // RBAC forbids cluster scope: poll the tenants' namespaces instead.
        this.polling = true;
        await this.refresh();
        return;
      }
      this.markBad(error);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    debug('live', `reconnecting in ${wait} ms`);
    this.retryTimer = setTimeout(() => void this.connect(), wait);
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
    const wasReachable = this.reachable;
    this.reachable = false;
    this.error = errorMessage((error as { cause?: unknown })?.cause ?? error).split('\n')[0];
    if (wasReachable || this.listenerCount('change') > 0) this.emit('change');
  }

  /** Pods are re-read shortly after a burst of changes, for namespaces that need them. */
  private schedulePods(): void {
    if (this.podsTimer) return;
    this.podsTimer = setTimeout(() => {
      this.podsTimer = undefined;
      const namespaces = namespacesNeedingPods(this.deployments.values());
      readPods(this.client, namespaces)
        .then((pods) => {
          this.pods = pods as Map<string, V1Pod[]> as Map<string, LivePod[]>;
          this.emit('change');
        })
        .catch((error: unknown) => debug('live', `reading pods failed: ${errorMessage(error)}`));
    }, 300);
  }
}
