/**
 * The object store: objects by type / namespace / name, the cluster-wide resourceVersion
 * counter, a bounded window of past events for watches that resume, and the fan-out of each
 * change to live watchers and in-process controllers.
 *
 * Stored objects are never mutated: every write stores a new object.
 */
import { asArray, asString, at, type KubeObject } from './json.js';
import type { ResourceType } from './resources.js';
import { expired } from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: EventType;
  resource: ResourceType;
  /** The new state; for DELETED the last state, carrying the deletion's resourceVersion. */
  object: KubeObject;
  previous?: KubeObject;
  rv: number;
}

export interface Watcher {
  resource: ResourceType;
  /** Only this namespace, or every namespace when undefined. */
  namespace?: string;
  matches(obj: KubeObject): boolean;
  send(type: EventType, obj: KubeObject): void;
}

interface Bucket {
  objects: Map<string, KubeObject>;
  /** Names in order, rebuilt lazily after an add or remove (lists come back sorted, as from etcd). */
  sorted?: string[];
}

interface Table {
  buckets: Map<string, Bucket>;
  sortedNamespaces?: string[];
}

export interface StoreOptions {
  /** How many past events a watch can resume from (older resourceVersions get 410 Gone). */
  eventWindow?: number;
  /** The first resourceVersion handed out, minus one. */
  startResourceVersion?: number;
}

export class Store {
  private rv: number;
  private tables = new Map<ResourceType, Table>();
  private events: Change[] = [];
  /** Every event with rv > windowStart is still in `events`. */
  private windowStart: number;
  private readonly windowSize: number;
  private watchers = new Map<ResourceType, Set<Watcher>>();
  private listeners = new Set<(change: Change) => void>();
  /** owner uid → keys of objects that name it in ownerReferences, for garbage collection. */
  private owned = new Map<string, Set<string>>();

  constructor(options: StoreOptions = {}) {
    this.rv = options.startResourceVersion ?? 1000;
    this.windowStart = this.rv;
    this.windowSize = Math.max(1, options.eventWindow ?? 10_000);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.tables.get(type)?.buckets.get(namespace)?.objects.get(name);
  }

  /** Objects of a type, sorted by namespace then name; one namespace when given. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const table = this.tables.get(type);
    if (!table) return [];
    if (namespace !== undefined) {
      const bucket = table.buckets.get(namespace);
      return bucket ? sortedObjects(bucket) : [];
    }
    table.sortedNamespaces ??= [...table.buckets.keys()].sort();
    const out: KubeObject[] = [];
    for (const ns of table.sortedNamespaces) out.push(...sortedObjects(table.buckets.get(ns)!));
    return out;
  }

  /** Stores a new state of an object under a fresh resourceVersion and tells every watcher. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    const namespace = asString(object.metadata.namespace) ?? '';
    const name = asString(object.metadata.name) ?? '';
    const table = this.table(type);
    let bucket = table.buckets.get(namespace);
    if (!bucket) {
      bucket = { objects: new Map() };
      table.buckets.set(namespace, bucket);
      table.sortedNamespaces = undefined;
    }
    const previous = bucket.objects.get(name);
    const rv = ++this.rv;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    bucket.objects.set(name, stored);
    if (!previous) bucket.sorted = undefined;
    this.index(type, previous, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', resource: type, object: stored, previous, rv });
    return stored;
  }

  remove(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const table = this.tables.get(type);
    const bucket = table?.buckets.get(namespace);
    const previous = bucket?.objects.get(name);
    if (!table || !bucket || !previous) return undefined;
    bucket.objects.delete(name);
    bucket.sorted = undefined;
    if (bucket.objects.size === 0) {
      table.buckets.delete(namespace);
      table.sortedNamespaces = undefined;
    }
    this.index(type, previous, undefined);
    const rv = ++this.rv;
    const last: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', resource: type, object: last, previous, rv });
    return previous;
  }

  /**
   * Empties the window: watches can resume from now on only. Called once the seed is stored,
   * before the server listens, as no client can hold an earlier resourceVersion (a real API
   * server's watch cache also starts at its start); the seed's writes held 5 MB with 1 000 Deployments.
   */
  startWindowNow(): void {
    this.events = [];
    this.windowStart = this.rv;
  }

  /** Objects whose ownerReferences name this uid. */
  dependents(uid: string): { type: ResourceType; namespace: string; name: string }[] {
    const keys = this.owned.get(uid);
    if (!keys) return [];
    return [...keys].map((key) => {
      const [plural, group, namespace, name] = key.split('\u0000') as [string, string, string, string];
      const type = [...this.tables.keys()].find((t) => t.plural === plural && t.group === group)!;
      return { type, namespace, name };
    });
  }

  /** The objects of one type whose ownerReferences name this uid. */
  ownedBy(uid: string, type: ResourceType): KubeObject[] {
    return this.dependents(uid)
      .filter((d) => d.type === type)
      .map((d) => this.get(type, d.namespace, d.name))
      .filter((obj): obj is KubeObject => obj !== undefined);
  }

  /**
   * Registers a watcher. With `fromRv` it first replays the kept events after it (410 Expired
   * when they are gone); without, it sends the current objects as ADDED, as the API server does.
   */
  watch(watcher: Watcher, fromRv: number | undefined): () => void {
    if (fromRv === undefined) {
      for (const obj of this.list(watcher.resource, watcher.namespace)) {
        if (watcher.matches(obj)) watcher.send('ADDED', obj);
      }
    } else {
      if (fromRv < this.windowStart) {
        throw expired(`too old resource version: ${fromRv} (${this.windowStart})`);
      }
      for (let i = this.firstAfter(fromRv); i < this.events.length; i++) {
        const change = this.events[i]!;
        if (change.resource === watcher.resource) deliver(watcher, change);
      }
    }
    let set = this.watchers.get(watcher.resource);
    if (!set) {
      set = new Set();
      this.watchers.set(watcher.resource, set);
    }
    set.add(watcher);
    return () => set.delete(watcher);
  }

  /** In-process subscribers (the controllers); called after the watchers, synchronously. */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private table(type: ResourceType): Table {
    let table = this.tables.get(type);
    if (!table) {
      table = { buckets: new Map() };
      this.tables.set(type, table);
    }
    return table;
  }

  private emit(change: Change): void {
    this.events.push(change);
    // Trim in batches so a large window does not pay an O(n) splice on every write.
    if (this.events.length > this.windowSize + Math.ceil(this.windowSize / 4)) {
      const dropped = this.events.splice(0, this.events.length - this.windowSize);
      this.windowStart = dropped[dropped.length - 1]!.rv;
    }
    for (const watcher of this.watchers.get(change.resource) ?? []) deliver(watcher, change);
    for (const listener of this.listeners) listener(change);
  }

  private firstAfter(rv: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private index(type: ResourceType, before: KubeObject | undefined, after: KubeObject | undefined): void {
    const key = (obj: KubeObject) => [type.plural, type.group, asString(obj.metadata.namespace) ?? '', asString(obj.metadata.name) ?? ''].join('\u0000');
    for (const uid of ownerUids(before)) {
      const set = this.owned.get(uid);
      set?.delete(key(before!));
      if (set?.size === 0) this.owned.delete(uid);
    }
    for (const uid of ownerUids(after)) {
      let set = this.owned.get(uid);
      if (!set) {
        set = new Set();
        this.owned.set(uid, set);
      }
      set.add(key(after!));
    }
  }
}

function ownerUids(obj: KubeObject | undefined): string[] {
  if (!obj) return [];
  return asArray(obj.metadata.ownerReferences)
    .map((ref) => asString(at(ref, 'uid')))
    .filter((uid): uid is string => uid !== undefined);
}

function sortedObjects(bucket: Bucket): KubeObject[] {
  bucket.sorted ??= [...bucket.objects.keys()].sort();
  return bucket.sorted.map((name) => bucket.objects.get(name)!);
}

/** Sends a change to one watcher, turning it into ADDED / DELETED when it enters or leaves the selection. */
function deliver(watcher: Watcher, change: Change): void {
  const ns = asString(change.object.metadata.namespace) ?? '';
  if (watcher.namespace !== undefined && watcher.namespace !== ns) return;
  const now = change.type !== 'DELETED' && watcher.matches(change.object);
  const before = change.previous !== undefined && watcher.matches(change.previous);
  if (change.type === 'DELETED') {
    if (before) watcher.send('DELETED', change.object);
  } else if (now && before) watcher.send('MODIFIED', change.object);
  else if (now) watcher.send('ADDED', change.object);
  else if (before) watcher.send('DELETED', change.object);
}
