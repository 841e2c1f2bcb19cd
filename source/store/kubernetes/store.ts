/**
 * The team store (DESIGN §11, docs/store.md): every version, deployment record and approval a
 * ConfigMap of its own in one namespace, named from its id and labelled by kind, service and
 * tenant; the audit trail an object per event plus the head; records beyond the retention bound
 * packed into archive objects. Writes are units committed through the head (units.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEvent, DeploymentRecord, ImageVersion } from '../../domain/types.js';
import { StoreError } from '../../errors.js';
import type { Cluster } from '../../adapters/kube.js';
import { chainLines, describeEvents, type NewAuditEvent } from '../audit.js';
import type { ServiceHolder, StoreBackend, StoreHistory, UpdateUnit } from '../backend.js';
import { sha256 } from '../journal.js';
import { groupBy, newestFirst, takeRetained } from '../retention.js';
import { migrate, type StoreData } from '../schema.js';
import { refuseControlCharacters } from '../store.js';
import { KubeAuditTrail } from './audit-trail.js';
import { ImageFilter } from './image-filter.js';
import { holdLease } from './lease.js';
import { HeadWatch } from './watch.js';
import {
  archiveName,
  type Collection,
  collectionOfKind,
  DEPLOYMENT_ARCHIVE_KIND,
  HEAD_KIND,
  HEAD_NAME,
  IMAGE_INDEX_KIND,
  imageBucket,
  labelValue,
  recordLabels,
  recordName,
  SNAPSHOT_SELECTOR,
  type StoredRecord,
  VERSION_ARCHIVE_KIND,
} from './names.js';
import { KIND_LABEL, SERVICE_LABEL, type StoredObject, StoreObjects, TENANT_LABEL } from './objects.js';
import { caughtUp, descends, type HeadState, headUnits, laidOver, parseHead, type Snapshot, type Snapshots, UnitWriter, type Write } from './units.js';

/** An archive object stays well under the 1 MiB a ConfigMap may hold. */
const MAX_ARCHIVE_BYTES = 900_000;
const COLLECTION_NAMES: readonly Collection[] = ['versions', 'deployments', 'approvals'];
/**
 * How long a list stands in for the next ones (snapshot()): changes made by ecp all reach the
 * store through the head, so a snapshot brought up to the head is exact; a record edited by hand
 * with kubectl is seen within this long.
 */
const SNAPSHOT_REUSE_MS = 10_000;
/** After a lost swap, how long the head watch has to bring the winner's head before it is read. */
const HEAD_WAIT_MS = 20;
/** Records (and audit lines) per unit of an import: a unit fits in the head object. */
const IMPORT_CHUNK = 100;

const orderKey: Record<Collection, (r: StoredRecord) => string> = {
  versions: (r) => (r as ImageVersion).createdAt,
  deployments: (r) => (r as DeploymentRecord).startedAt,
  approvals: (r) => ('requestedAt' in r ? r.requestedAt : ''),
};

/** The records of `objects`, as the file store holds them (oldest first). */
function dataOf(objects: Map<string, StoredObject>, where: string): StoreData {
  const byName = new Map<string, { kind?: string; text: string }>();
  for (const [name, o] of objects) if (o.labels[KIND_LABEL] !== HEAD_KIND) byName.set(name, { kind: o.labels[KIND_LABEL], text: o.data.record ?? 'null' });
  const raw: Record<Collection, unknown[]> = { versions: [], deployments: [], approvals: [] };
  for (const { kind, text } of byName.values()) {
    const collection = collectionOfKind(kind);
    if (collection) raw[collection].push(JSON.parse(text));
  }
  const data = migrate({ schemaVersion: 1, ...raw });
  if (typeof data === 'string') throw new StoreError(`The team store in ${where} cannot be used: ${data}; it was left unchanged.`);
  for (const c of COLLECTION_NAMES) {
    const list = data[c] as StoredRecord[];
    list.sort((a, b) => orderKey[c](a).localeCompare(orderKey[c](b)) || a.id.localeCompare(b.id));
  }
  return data;
}

function parseLines<T>(objects: readonly StoredObject[]): T[] {
  return [...objects]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((o) => (o.data.lines ?? '').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as T);
}

export class KubeStore implements StoreBackend {
  readonly objects: StoreObjects;
  readonly units: UnitWriter;
  readonly audit: KubeAuditTrail;
  /** The last snapshot, and when its list was read (snapshot()). */
  private last?: { snap: Snapshot; at: number };
  /** The archived-image filter of the change running in this async context (isImageArchived asks it). */
  private readonly committing = new AsyncLocalStorage<ImageFilter>();
  /** The head as last delivered, while a watch runs (watch.ts). */
  private readonly heads: HeadWatch;
  /** Changes made: a process that makes a second one watches the head. */
  private changes = 0;
  private readonly snapshots: Snapshots = {
    take: (listed, refused) => this.snapshot(listed, refused),
    swapped: (snap, head, headVersion) => {
      const next = caughtUp(snap, head, headVersion);
      if (next && this.last) this.last = { snap: next, at: this.last.at };
    },
  };

  constructor(
    readonly cluster: Cluster,
    readonly namespace: string,
    readonly keepPerService = 50,
  ) {
    this.objects = new StoreObjects(cluster, namespace);
    this.units = new UnitWriter(this.objects);
    this.audit = new KubeAuditTrail(this);
    this.heads = new HeadWatch(this.objects.http, this.objects.path);
  }

  get where(): string {
    return this.objects.where;
  }

  /**
   * The head and the hot records as of one revision of the store: the last snapshot this store
   * took brought up to the head (headSince) when every change since is still in the head and its
   * list is less than SNAPSHOT_REUSE_MS old, else one list. A process that reads or writes more
   * than once (ecp serve, the console, the monitor, a batch of registrations) lists the store once
   * in a while, not for every change. With `listed`, always a list; `refused`: see headSince.
   */
  async snapshot(listed = false, refused?: string): Promise<Snapshot> {
    const last = this.last;
    if (!listed && last && Date.now() - last.at < SNAPSHOT_REUSE_MS) {
      const now = await this.headSince(last.snap, refused);
      const snap = now.resourceVersion === last.snap.headVersion ? last.snap : caughtUp(last.snap, now.head, now.resourceVersion);
      if (snap) {
        this.last = { snap, at: last.at };
        return snap;
      }
    }
    const at = Date.now();
    const list = await this.objects.list(SNAPSHOT_SELECTOR);
    const objects = new Map(list.map((o) => [o.name, o]));
    if (!objects.has(HEAD_NAME)) await this.objects.confirmNamespace();
    const { head, resourceVersion } = parseHead(objects.get(HEAD_NAME));
    objects.delete(HEAD_NAME);
    const snap = { head, headVersion: resourceVersion, objects };
    this.last = { snap, at };
    return snap;
  }

  /**
   * The newest head known: while the head watch runs, the head it delivered last, or `known`'s
   * when that is newer (this writer's own swap, not yet delivered); else one read. After a swap
   * lost on the head at `refused`, the head that won it: the watch's, once it brings it (within
   * HEAD_WAIT_MS), else one read; the watch starts then, if it did not run.
   */
  private async headSince(known: Snapshot, refused?: string): Promise<{ head: HeadState; resourceVersion?: string }> {
    // A lost swap means others are writing: watch the head from here on, so as not to lose to writers that do.
    if (refused !== undefined) this.heads.touch();
    const watched = refused === undefined ? this.heads.latest : await this.heads.other(refused, HEAD_WAIT_MS);
    if (watched) {
      const now = parseHead(watched);
      if (now.resourceVersion === known.headVersion || descends(now.head, known.head)) return now;
      if (refused === undefined && descends(known.head, now.head)) return { head: known.head, resourceVersion: known.headVersion };
    }
    return parseHead(await this.objects.read(HEAD_NAME));
  }

  async read(): Promise<StoreData> {
    const snap = await this.snapshot();
    return dataOf(laidOver(snap.objects, headUnits(snap.head)), this.where);
  }

  async update<T>(mutate: (data: StoreData, unit: UpdateUnit) => T | Promise<T>): Promise<T> {
    return (await this.change(mutate)).result;
  }

  /** Audit events with no record change: a unit of events only; returns them as chained. */
  async appendEvents(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    return (
      await this.change((_data, unit) => {
        for (const e of events) unit.audit(e);
      })
    ).events;
  }

  /** Runs `mutate` on a fresh snapshot and commits its writes and events as one unit. */
  private change<T>(mutate: (data: StoreData, unit: UpdateUnit) => T | Promise<T>): Promise<{ result: T; events: AuditEvent[] }> {
    if (++this.changes > 1) this.heads.touch();
    return this.units.commit(this.snapshots, async (snap) => {
      const current = laidOver(snap.objects, headUnits(snap.head));
      const data = dataOf(current, this.where);
      const queued: NewAuditEvent[] = [];
      const images = await this.imageFilterOf(snap.head);
      const result = await this.committing.run(images, () => mutate(data, { audit: (event) => void queued.push(event) }));
      const writes = await this.retentionWrites(data, images);
      const records = this.recordWrites(data, current);
      const written = new Set(records.map((w) => w.name));
      refuseControlCharacters((key, record) => written.has(recordName(key, record.id)), data, queued);
      writes.push(...records);
      const events: AuditEvent[] = [];
      if (writes.length === 0 && queued.length === 0) return { result: { result, events }, nothing: true as const };
      const lines = chainLines(queued, snap.head.hash, events);
      const summary = queued.length ? describeEvents(queued) : 'a record change';
      return { result: { result, events }, writes, lines, lastHash: lines.length ? sha256(lines.at(-1)!) : snap.head.hash, summary, images: images.toString() };
    });
  }

  /** Creates, replaces and deletes that turn the listed records into `data`. */
  private recordWrites(data: StoreData, objects: Map<string, StoredObject>): Write[] {
    const writes: Write[] = [];
    const kept = new Set<string>();
    for (const collection of COLLECTION_NAMES) {
      for (const record of data[collection] as StoredRecord[]) {
        const name = recordName(collection, record.id);
        kept.add(name);
        const text = JSON.stringify(record);
        const existing = objects.get(name);
        const labels = recordLabels(collection, record);
        if (!existing) writes.push({ op: 'create', name, labels, data: { record: text } });
        else if (existing.data.record !== text) writes.push({ op: 'replace', name, base: existing.resourceVersion, labels, data: { record: text } });
      }
    }
    for (const [name, o] of objects) if (!kept.has(name)) writes.push({ op: 'delete', name, base: o.resourceVersion });
    return writes;
  }

  /** The snapshot head's archived-image filter, or one built from the index buckets for a head written before it. */
  private async imageFilterOf(head: HeadState): Promise<ImageFilter> {
    if (head.images !== undefined) return ImageFilter.parse(head.images);
    const filter = ImageFilter.empty();
    for (const bucket of await this.objects.list(`${KIND_LABEL}=${IMAGE_INDEX_KIND}`)) for (const image of (bucket.data.lines ?? '').split('\n').filter(Boolean)) filter.add(image);
    return filter;
  }

  /** Takes the records beyond the bound out of `data`, and the appends that archive them (their images added to `images`). */
  private async retentionWrites(data: StoreData, images: ImageFilter): Promise<Write[]> {
    const plan = takeRetained(data, this.keepPerService);
    const archived = [...plan.versions.values()].flat();
    for (const v of archived) images.add(v.fullImageName);
    // The reads run side by side: this is inside the window in which other writers' swaps make this one's fail.
    return Promise.all([
      ...[...plan.versions].map(([service, old]) => this.archiveAppend(VERSION_ARCHIVE_KIND, SERVICE_LABEL, service, old)),
      ...[...plan.deployments].map(([tenant, old]) => this.archiveAppend(DEPLOYMENT_ARCHIVE_KIND, TENANT_LABEL, tenant, old)),
      ...[...groupBy(archived, (v) => imageBucket(v.fullImageName).name)].map(
        async ([name, list]): Promise<Write> => ({
          op: 'append',
          name,
          base: (await this.objects.read(name))?.resourceVersion,
          labels: { [KIND_LABEL]: IMAGE_INDEX_KIND },
          text: list.map((v) => `${v.fullImageName}\n`).join(''),
        }),
      ),
    ]);
  }

  private async archiveAppend(kind: typeof VERSION_ARCHIVE_KIND | typeof DEPLOYMENT_ARCHIVE_KIND, label: string, owner: string, records: readonly StoredRecord[]): Promise<Write> {
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const chunks = (await this.archiveObjects(kind, label, owner)).sort((a, b) => a.name.localeCompare(b.name));
    const last = chunks.at(-1);
    const labels = { [KIND_LABEL]: kind, [label]: labelValue(owner) };
    if (last && Buffer.byteLength(last.data.lines ?? '') + Buffer.byteLength(text) <= MAX_ARCHIVE_BYTES) return { op: 'append', name: last.name, base: last.resourceVersion, labels, text };
    if (Buffer.byteLength(text) > MAX_ARCHIVE_BYTES) throw new StoreError(`The records archived at once for ${owner} exceed one archive object (${MAX_ARCHIVE_BYTES} bytes); nothing changed.`);
    return { op: 'append', name: archiveName(kind, owner, chunks.length), labels, text };
  }

  private async archiveObjects(kind: string, label: string, owner: string): Promise<StoredObject[]> {
    // The label holds a hash when the name cannot be a label value; the name check keeps owners apart.
    const listed = await this.objects.list(`${KIND_LABEL}=${kind},${label}=${labelValue(owner)}`);
    return listed.filter((o) => o.labels[label] === labelValue(owner));
  }

  async isImageArchived(fullImageName: string): Promise<boolean> {
    // Asked while a change runs: its snapshot's filter answers "certainly not" without a read.
    if (this.committing.getStore()?.mayHave(fullImageName) === false) return false;
    const bucket = await this.objects.read(imageBucket(fullImageName).name);
    return (bucket?.data.lines ?? '').split('\n').includes(fullImageName);
  }

  async archivedVersions(service: string, hot: readonly ImageVersion[] = []): Promise<ImageVersion[]> {
    const hotIds = new Set(hot.map((v) => v.id));
    const seen = new Set<string>();
    const records = parseLines<ImageVersion>(await this.archiveObjects(VERSION_ARCHIVE_KIND, SERVICE_LABEL, service)).filter(
      (v) => v.serviceName === service && !hotIds.has(v.id) && !seen.has(v.id) && seen.add(v.id),
    );
    return newestFirst(records, (v) => v.createdAt);
  }

  async archivedDeployments(tenant: string, hot: readonly DeploymentRecord[] = []): Promise<DeploymentRecord[]> {
    const hotIds = new Set(hot.map((d) => d.id));
    const records = parseLines<DeploymentRecord>(await this.archiveObjects(DEPLOYMENT_ARCHIVE_KIND, TENANT_LABEL, tenant)).filter((d) => d.tenantId === tenant && !hotIds.has(d.id));
    return newestFirst(records, (d) => d.startedAt);
  }

  async findVersion(id: string): Promise<{ version: ImageVersion; archived: boolean } | undefined> {
    const hot = (await this.read()).versions.find((v) => v.id === id);
    if (hot) return { version: hot, archived: false };
    const archived = parseLines<ImageVersion>(await this.objects.list(`${KIND_LABEL}=${VERSION_ARCHIVE_KIND}`)).find((v) => v.id === id);
    return archived && { version: archived, archived: true };
  }

  async allVersions(service: string): Promise<ImageVersion[]> {
    const hot = (await this.read()).versions.filter((v) => v.serviceName === service);
    return newestFirst([...hot, ...(await this.archivedVersions(service, hot))], (v) => v.createdAt);
  }

  watch(onChange: () => void): () => void {
    return this.heads.subscribe(onChange);
  }

  holdService<T>(tenant: string, service: string, holder: ServiceHolder, work: () => Promise<T>): Promise<T> {
    return holdLease(this.cluster, this.namespace, tenant, service, holder, work);
  }

  async history(): Promise<StoreHistory> {
    const [data, versions, deployments, audit] = await Promise.all([
      this.read(),
      this.objects.list(`${KIND_LABEL}=${VERSION_ARCHIVE_KIND}`),
      this.objects.list(`${KIND_LABEL}=${DEPLOYMENT_ARCHIVE_KIND}`),
      this.audit.lines(),
    ]);
    const dedupe = <T extends { id: string }>(records: T[]) => [...new Map(records.map((r) => [r.id, r])).values()];
    return {
      versions: dedupe([...parseLines<ImageVersion>(versions), ...data.versions]),
      deployments: dedupe([...parseLines<DeploymentRecord>(deployments), ...data.deployments]),
      approvals: data.approvals,
      auditLines: audit.lines.map((l) => l.line),
    };
  }

  /** Imports in units of IMPORT_CHUNK records and lines, oldest first, so retention keeps the newest hot. */
  async importHistory(part: StoreHistory): Promise<void> {
    const versions = newestFirst(part.versions, (v) => v.createdAt).reverse();
    const deployments = newestFirst(part.deployments, (d) => d.startedAt).reverse();
    const chunks = Math.max(1, Math.ceil(Math.max(versions.length, deployments.length, part.approvals.length, part.auditLines.length) / IMPORT_CHUNK));
    for (let i = 0; i < chunks; i++) {
      const slice = <T>(list: readonly T[]) => list.slice(i * IMPORT_CHUNK, (i + 1) * IMPORT_CHUNK);
      const lines = slice(part.auditLines);
      this.heads.touch();
      await this.units.commit(this.snapshots, async (snap) => {
        if (lines.length && (JSON.parse(lines[0]!) as { prev?: string }).prev !== snap.head.hash) {
          throw new StoreError(`The audit events to import do not continue the trail in ${this.where}; nothing more was written.`);
        }
        const current = laidOver(snap.objects, headUnits(snap.head));
        const data = dataOf(current, this.where);
        data.versions.push(...slice(versions));
        data.deployments.push(...slice(deployments));
        data.approvals.push(...slice(part.approvals));
        const images = await this.imageFilterOf(snap.head);
        const writes = await this.retentionWrites(data, images);
        writes.push(...this.recordWrites(data, current));
        return {
          result: undefined,
          writes,
          lines,
          lastHash: lines.length ? sha256(lines.at(-1)!) : snap.head.hash,
          summary: `an import of part ${i + 1} of ${chunks}`,
          images: images.toString(),
        };
      });
    }
  }
}
