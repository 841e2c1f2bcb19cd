/**
 * Live cluster state for the status views: a one-shot read (`ecp --once`) and a watcher that
 * keeps a snapshot current with one cluster-wide list + watch per workload kind (Deployments and
 * StatefulSets; the console and the monitor). Pods (and ReplicaSets, which tell the pods of a
 * Deployment's current revision) are read only for namespaces where a workload is not Healthy,
 * so a healthy cluster costs two list requests however many workloads it has.
 */
import { EventEmitter } from 'node:events';
import { Watch, type KubernetesObject } from '@kubernetes/client-node';
import { errorMessage } from '../errors.js';
import { workloadHealth, type LiveStatefulSet, type LiveWorkload } from '../domain/health.js';
import type { LiveDeployment, LivePod, LiveReplicaSet } from '../domain/kube-types.js';
import type { LiveSnapshot } from '../domain/status.js';
import { debug } from '../log.js';
import { statusCodeOf, type KubeClient } from '../adapters/kube.js';

const key = (d: KubernetesObject) => `${d.metadata?.namespace}/${d.metadata?.name}`;

/**
 * The object as the snapshot keeps it: without metadata.managedFields, which no view reads (the
 * YAML view leaves them out, as kubectl does) and which were half of what the console held for
 * 1 000 live Deployments (2.5 of 5 MB).
 */
function kept<T extends KubernetesObject>(object: T): T {
  if (object.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}

/** The same objects at the same resourceVersions: a re-read that found nothing new. */
type Versioned = { metadata?: { uid?: string; resourceVersion?: string } };
function sameObjects<T extends Versioned | readonly Versioned[]>(a: ReadonlyMap<string, T> | undefined, b: ReadonlyMap<string, T> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.size !== b.size) return false;
  const version = (o: Versioned) => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`;
  const versions = (v: T) => (Array.isArray(v) ? (v as readonly Versioned[]).map(version).join() : version(v as Versioned));
  for (const [k, v] of a) {
    const other = b.get(k);
    if (other === undefined || versions(v) !== versions(other)) return false;
  }
  return true;
}

const sameEntries = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

function namespacesNeedingPods(deployments: Iterable<LiveDeployment>, statefulSets: Iterable<LiveStatefulSet>): string[] {
  const namespaces = new Set<string>();
  const judge = (w: LiveWorkload) => {
    if (workloadHealth(w).status === 'Progressing' && w.object.metadata?.namespace) namespaces.add(w.object.metadata.namespace);
  };
  for (const object of deployments) judge({ kind: 'Deployment', object });
  for (const object of statefulSets) judge({ kind: 'StatefulSet', object });
  return [...namespaces];
}

/** The pods (and, to tell a Deployment's current revision, the ReplicaSets) of each namespace that needs them. */
async function readPods(client: KubeClient, namespaces: string[]): Promise<Pick<LiveSnapshot, 'pods' | 'replicaSets'>> {
  const entries = await Promise.all(
    namespaces.map(async (ns) => {
      const [pods, replicaSets] = await Promise.all([client.listPods(ns), client.listReplicaSets(ns)]);
      return { ns, pods: (pods ?? []) as LivePod[], replicaSets: (replicaSets ?? []) as LiveReplicaSet[] };
    }),
  );
  return { pods: new Map(entries.map((e) => [e.ns, e.pods])), replicaSets: new Map(entries.map((e) => [e.ns, e.replicaSets])) };
}

/** One read of everything the status views need. Throws ClusterError when unreachable. */
export async function readLiveSnapshot(client: KubeClient, namespaces: readonly string[]): Promise<LiveSnapshot> {
  const [list, sets] = await Promise.all([client.listDeployments(namespaces), client.listStatefulSets(namespaces)]);
  const deployments = new Map(list.items.map((d) => [key(d), d as LiveDeployment]));
  const statefulSets = new Map(sets.items.map((d) => [key(d), d as LiveStatefulSet]));
  const { pods, replicaSets } = await readPods(client, namespacesNeedingPods(deployments.values(), statefulSets.values()));
  return { reachable: true, lastGoodAt: Date.now(), deployments, statefulSets, pods, replicaSets, unreadable: list.unreadable, unreadableStatefulSets: sets.unreadable };
}

export interface WatcherOptions {
  /** Namespaces of interest, for the per-namespace fallback where RBAC forbids cluster scope. */
  namespaces: () => readonly string[];
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
  /** How long the server keeps one watch open (its `timeoutSeconds`); default 20. */
  watchTimeoutSeconds?: number;
}

/** The two kinds of workload the watcher follows, each with its own list, watch and resourceVersion. */
type Followed = 'deployments' | 'statefulSets';
const WATCH_PATHS: Record<Followed, string> = { deployments: '/apis/apps/v1/deployments', statefulSets: '/apis/apps/v1/statefulsets' };
/** How much longer than its timeout a watch may stay silent before it is taken for hung. */
const WATCH_GRACE_MS = 5_000;

/**
 * Keeps a LiveSnapshot current: one list of every Deployment and of every StatefulSet, then a
 * watch of each from its list's resourceVersion (re-watching when the server ends it, re-listing
 * on 410 Gone). Emits 'change' whenever the snapshot changes. Only a list or a watch event that
 * really arrived counts as a good read: while the API is unreachable the last good data stays,
 * marked unreachable, and the watcher retries with backoff. Where RBAC forbids cluster scope it
 * polls the tenants' namespaces on refresh instead.
 */
export class LiveStateWatcher extends EventEmitter {
  private deployments = new Map<string, LiveDeployment>();
  private statefulSets = new Map<string, LiveStatefulSet>();
  private pods: LiveSnapshot['pods'] = new Map();
  private replicaSets: LiveSnapshot['replicaSets'] = new Map();
  private reachable = false;
  private lastGoodAt?: number;
  private error?: string = 'not read yet';
  private unreadable = new Map<string, string>();
  private unreadableStatefulSets = new Map<string, string>();
  private resourceVersions: Partial<Record<Followed, string>> = {};
  private watches: Partial<Record<Followed, AbortController>> = {};
  /** The watches being opened (their requests not answered yet), so a second one is not opened beside one. */
  private opening: Partial<Record<Followed, object>> = {};
  /** Restart a watch that shows nothing (no event, no bookmark, no end) within its window. */
  private watchdogs: Partial<Record<Followed, NodeJS.Timeout>> = {};
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
    return {
      reachable: this.reachable,
      lastGoodAt: this.lastGoodAt,
      error: this.error,
      deployments: this.deployments,
      statefulSets: this.statefulSets,
      pods: this.pods,
      replicaSets: this.replicaSets,
      unreadable: this.unreadable,
      unreadableStatefulSets: this.unreadableStatefulSets,
    };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.podsTimer);
    for (const timer of Object.values(this.watchdogs)) clearTimeout(timer);
    for (const watch of Object.values(this.watches)) watch?.abort();
    this.watches = {};
  }

  /** Re-list now (the console's R key, the monitor's tick); the watches go on from the new lists. */
  async refresh(): Promise<void> {
    await this.relist();
  }

  private async relist(): Promise<void> {
    try {
      const namespaces = this.options.namespaces();
      const [list, sets] = await Promise.all([this.client.listDeployments(namespaces), this.client.listStatefulSets(namespaces)]);
      const deployments = new Map(list.items.map((d) => [key(d), kept(d) as LiveDeployment]));
      const statefulSets = new Map(sets.items.map((d) => [key(d), kept(d) as LiveStatefulSet]));
      this.resourceVersions = { deployments: list.resourceVersion, statefulSets: sets.resourceVersion };
      this.polling = list.scope === 'namespaces' || sets.scope === 'namespaces';
      // A refresh answers with the pods too, so its caller judges health on complete data.
      const { pods, replicaSets } = await readPods(this.client, namespacesNeedingPods(deployments.values(), statefulSets.values()));
      // The safety-net refresh mostly finds what the watches already brought: then the snapshot
      // keeps its maps and nobody is told (each 'change' is a pass of the console and the monitor
      // over every service).
      const changed =
        !sameObjects(this.deployments, deployments) ||
        !sameObjects(this.statefulSets, statefulSets) ||
        !sameObjects(this.pods, pods) ||
        !sameObjects(this.replicaSets, replicaSets) ||
        !sameEntries(this.unreadable, list.unreadable) ||
        !sameEntries(this.unreadableStatefulSets, sets.unreadable);
      if (changed) {
        this.deployments = deployments;
        this.statefulSets = statefulSets;
        this.pods = pods;
        this.replicaSets = replicaSets;
        this.unreadable = list.unreadable;
        this.unreadableStatefulSets = sets.unreadable;
      }
      // The pods were just read: no re-read after this one.
      this.markGood({ changed, podsRead: true });
      if (!this.polling && !this.stopped) {
        for (const followed of ['deployments', 'statefulSets'] as const) if (!this.watches[followed] && !this.opening[followed]) await this.startWatch(followed);
      }
    } catch (error) {
      this.markBad(error);
      this.scheduleRetry();
    }
  }

  private async startWatch(followed: Followed): Promise<void> {
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
    this.opening[followed] = token;
    let abandoned = false;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 20;
    const windowMs = timeoutSeconds * 1000 + WATCH_GRACE_MS;
    const abandon = () => {
      abandoned = true;
      if (this.opening[followed] === token) delete this.opening[followed];
      if (controller !== undefined && this.watches[followed] === controller) delete this.watches[followed];
      controller?.abort();
      debug('live', `the ${followed} watch showed nothing for ${windowMs} ms: listing again`);
      if (!this.stopped) void this.relist();
    };
    const touch = () => {
      clearTimeout(this.watchdogs[followed]);
      this.watchdogs[followed] = setTimeout(abandon, windowMs);
    };
    touch();
    const onEvent = (type: string, object: KubernetesObject & { code?: number }) => {
      if (abandoned) return;
      touch();
      if (type === 'ERROR') {
        // 410 Gone: the resourceVersion is too old to resume from; list again.
        if (controller === this.watches[followed]) delete this.watches[followed];
        controller?.abort();
        void this.relist();
        return;
      }
      if (object.metadata?.resourceVersion) this.resourceVersions[followed] = object.metadata.resourceVersion;
      if (type === 'BOOKMARK') return;
      const map = this[followed] as Map<string, unknown>;
      if (type === 'DELETED') map.delete(key(object));
      else map.set(key(object), kept(object));
      this.markGood();
    };
    const onDone = (error: unknown) => {
      ended = true;
      if (abandoned) return;
      clearTimeout(this.watchdogs[followed]);
      if (controller !== undefined && this.watches[followed] !== controller) return; // replaced or stopped on purpose
      delete this.watches[followed];
      if (this.stopped) return;
      if (!error) {
        // The server ended the watch (its timeout): go on from where it stopped.
        void this.startWatch(followed);
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
      controller = await watch.watch(WATCH_PATHS[followed], { allowWatchBookmarks: true, resourceVersion: this.resourceVersions[followed], timeoutSeconds }, onEvent, onDone);
      if (abandoned) controller.abort();
      else if (!ended) this.watches[followed] = controller;
    } catch (error) {
      if (abandoned) return;
      clearTimeout(this.watchdogs[followed]);
      this.markBad(error);
      this.scheduleRetry();
    } finally {
      if (this.opening[followed] === token) delete this.opening[followed];
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

  private markGood({ changed, podsRead }: { changed: boolean; podsRead: boolean } = { changed: true, podsRead: false }): void {
    const recovered = !this.reachable || this.error !== undefined;
    this.reachable = true;
    this.lastGoodAt = Date.now();
    this.error = undefined;
    this.backoffMs = 500;
    if (!podsRead) this.schedulePods();
    if (changed || recovered) this.emit('change');
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
      const namespaces = namespacesNeedingPods(this.deployments.values(), this.statefulSets.values());
      readPods(this.client, namespaces)
        .then((read) => {
          if (!sameObjects(this.pods, read.pods) || !sameObjects(this.replicaSets, read.replicaSets)) {
            ({ pods: this.pods, replicaSets: this.replicaSets } = read);
            this.emit('change');
          }
          if (namespaces.length > 0 && !this.stopped) this.schedulePods();
        })
        .catch((error: unknown) => debug('live', `reading pods failed: ${errorMessage(error)}`));
    }, 300);
  }
}
