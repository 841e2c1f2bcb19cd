/**
 * One change of the team store as one unit (docs/store.md, "The team store"): the record writes
 * and the audit events that record them are both kept or neither, although the Kubernetes API
 * has no transaction over several objects.
 *
 * The head object (`ecp-head`: the audit count and last hash) is the one place every writer
 * meets. A writer reads the head and the hot records in one list (one etcd revision, so a
 * consistent snapshot), runs the change, and writes the whole unit — every object write with
 * the resourceVersion it is based on, and the new audit lines — into the head with a
 * compare-and-swap on the head's resourceVersion. That swap is the commit point: two writers
 * based on the same head cannot both win, the loser reads again and runs its change on the new
 * state. Then the writer rolls its unit forward (each write is idempotent: a create that meets
 * the object, a replace or delete whose base moved on, both mean "done already") and is done:
 * the head is swapped once per change, not twice, and is free for the next writer at once. The
 * unit stays in the head for the next few changes (KEPT_UNITS): readers lay the units in the head
 * over what they list (a write the list shows applied, or a later unit overtook, is skipped), a
 * writer that lost the swap rebuilds its snapshot from them without a new list, and the writer
 * whose change pushes a unit out rolls what of it is not applied forward first (its writer died
 * or stalled), so a unit leaves the head only once applied. The audit events travel in the swap itself: the
 * head keeps the newest of them (its tail), and a unit that finds the tail full packs it into an
 * archive object.
 */
import { randomBytes } from 'node:crypto';
import { StoreError } from '../../errors.js';
import { reachPoint } from '../crash-points.js';
import { confirmHolds } from '../../held-services.js';
import { headMac } from '../journal.js';
import { AUDIT_ARCHIVE_KIND, auditArchiveName, HEAD_KIND, HEAD_NAME } from './names.js';
import { Conflict, KIND_LABEL, type StoredObject, type StoreObjects } from './objects.js';

export type Write =
  | { op: 'create'; name: string; labels: Record<string, string>; data: Record<string, string> }
  | { op: 'replace'; name: string; base: string; labels: Record<string, string>; data: Record<string, string> }
  | { op: 'delete'; name: string; base: string }
  /** Adds `text` to `data.lines` of the object at `base`, or creates it holding `text` when there is no base. */
  | { op: 'append'; name: string; base?: string; labels: Record<string, string>; text: string };

export interface AuditLine {
  seq: number;
  line: string;
}

export interface Unit {
  id: string;
  summary: string;
  writes: Write[];
}

export interface HeadState {
  count: number;
  hash: string;
  /** HMAC-SHA256 of count:hash with ECP_AUDIT_KEY, when that key is set. */
  mac?: string;
  /** The ids of the last units committed: a writer whose answer the network lost looks for its own here. */
  recent: string[];
  /** The newest audit lines, the first of them event `tailFrom`; older ones are in archive objects. */
  tail: string[];
  tailFrom: number;
  /** The newest unit committed: its writer rolls it forward after the swap and leaves it in the head. */
  unit?: Unit;
  /** The units committed before it that the head keeps (KEPT_UNITS), oldest first. */
  earlier?: Unit[];
  /**
   * Ids of units in the head known applied: their writer (or another) rolled them forward and
   * said so in a later swap. Such a unit leaves the head after KEPT_UNITS without being checked
   * or kept, so the head stays small while writers whose snapshots are rebuilt cannot tell.
   */
  applied?: string[];
  /** The archived images' Bloom filter (image-filter.ts); absent in a head written before it, until the next write. */
  images?: string;
}

export const EMPTY_HEAD_STATE: HeadState = { count: 0, hash: '', recent: [], tail: [], tailFrom: 1 };
/**
 * Unit ids the head remembers, newest first: to find a commit whose answer was lost, and the
 * units since a loser's list. Every head write carries them, so they are short (12 characters).
 */
const RECENT = 64;
/** A ConfigMap holds at most 1 MiB; the head must hold the unit being committed. */
const MAX_HEAD_BYTES = 900_000;
/** A writer that keeps losing the swap gives up after this long (others were writing all the while). */
const MAX_WRITE_MS = 60_000;
const PARALLEL_WRITES = 8;
/**
 * The head keeps the newest units (its own and up to this many before it, within KEPT_UNIT_BYTES):
 * a writer that lost the swap rebuilds its snapshot from the head alone when the units committed
 * since its list are all there.
 */
export const KEPT_UNITS = 3;
const KEPT_UNIT_BYTES = 64_000;
/** The head keeps this many newest audit events (or this many bytes of them) before they go to an archive object. */
export const AUDIT_TAIL_EVENTS = 16;
const AUDIT_TAIL_BYTES = 32_000;

export type Prepared<T> =
  | {
      result: T;
      writes: Write[];
      lines: string[];
      lastHash: string;
      summary: string;
      /** The archived images' filter after this unit. */
      images?: string;
    }
  | { result: T; nothing: true };

/**
 * The head's tail with `lines` added; a tail that reached AUDIT_TAIL_EVENTS or AUDIT_TAIL_BYTES
 * first goes whole into an archive object of its own, created by the same unit (so the chain
 * moves from the head to the archive in one swap, never in neither or both).
 */
function withAuditTail(head: HeadState, writes: Write[], lines: readonly string[]): { writes: Write[]; tail: string[]; tailFrom: number } {
  if (lines.length === 0 || (head.tail.length < AUDIT_TAIL_EVENTS && Buffer.byteLength(head.tail.join('\n')) < AUDIT_TAIL_BYTES))
    return { writes, tail: [...head.tail, ...lines], tailFrom: head.tailFrom };
  const archive: Write = { op: 'create', name: auditArchiveName(head.tailFrom), labels: { [KIND_LABEL]: AUDIT_ARCHIVE_KIND }, data: { lines: head.tail.map((l) => `${l}\n`).join('') } };
  return { writes: [...writes, archive], tail: [...lines], tailFrom: head.count + 1 };
}

/** What a unit is prepared on: the head and the hot record objects, as of one revision. */
export interface Snapshot {
  head: HeadState;
  headVersion?: string;
  /** Hot record objects by name, as listed (the head's units not laid over). */
  objects: ReadonlyMap<string, StoredObject>;
  /** Rebuilt from an older snapshot and a head read since (caughtUp), not listed. */
  rebuilt?: true;
}

/** Where a writer's snapshots come from (KubeStore). */
export interface Snapshots {
  /** A snapshot to prepare a unit on; after a swap lost on the head at `refused`, one of a newer head. With `listed`, from a list. */
  take(listed: boolean, refused?: string): Promise<Snapshot>;
  /** This writer swapped `head` in (now at `headVersion`) over `snap`: its next change may start there. */
  swapped(snap: Snapshot, head: HeadState, headVersion: string): void;
}

/** Whether `head` is `earlier` or was committed after it (its units' ids go back to earlier's newest). */
export function descends(head: HeadState, earlier: HeadState): boolean {
  return earlier.recent[0] === undefined || head.recent.includes(earlier.recent[0]);
}

/** Whether `listed` (one revision) shows `w` applied; a write a list cannot show (an archive's, a bucket's) counts as not. */
function shown(w: Write, listed: ReadonlyMap<string, StoredObject>): boolean {
  if (w.op === 'append' || (w.op !== 'delete' && w.data.record === undefined)) return false;
  const now = listed.get(w.name);
  if (w.op === 'create') return now !== undefined;
  // An object known only from a unit (a rebuilt snapshot's) cannot show that a later write moved it on.
  return now?.resourceVersion !== '' && now?.resourceVersion !== w.base;
}

/**
 * The writes of `units` (oldest first) that `listed` does not show applied: of each object only
 * the last write, since a later unit was prepared on a state holding the earlier one's.
 */
function pendingWrites(units: readonly Unit[], listed: ReadonlyMap<string, StoredObject>): Map<string, Write> {
  const last = new Map<string, Write>();
  for (const w of units.flatMap((u) => u.writes)) last.set(w.name, w);
  for (const [name, w] of last) if (shown(w, listed)) last.delete(name);
  return last;
}

/**
 * `objects` with what `units` (oldest first) write and it does not show laid over: an object
 * known only from a unit has resourceVersion '' (a write based on it waits for a list that shows it).
 */
export function laidOver(objects: ReadonlyMap<string, StoredObject>, units: readonly Unit[]): Map<string, StoredObject> {
  const result = new Map(objects);
  for (const w of pendingWrites(units, objects).values()) {
    if (w.op === 'delete') result.delete(w.name);
    else if ((w.op === 'create' || w.op === 'replace') && w.data.record !== undefined) result.set(w.name, { name: w.name, resourceVersion: '', labels: w.labels, data: w.data });
  }
  return result;
}

/**
 * `snap` brought up to the head `now`, when every unit committed since `snap` is one `now`
 * carries: its objects with its own units laid over (each of them applied by now, or carried in
 * `now`), `now`'s laid over by the caller. Otherwise undefined: list again.
 */
export function caughtUp(snap: Snapshot, now: HeadState, headVersion: string | undefined): Snapshot | undefined {
  const last = snap.head.recent[0];
  const since = last === undefined ? -1 : now.recent.indexOf(last);
  const carried = new Set(headUnits(now).map((u) => u.id));
  if (since < 0 || !now.recent.slice(0, since).every((id) => carried.has(id))) return undefined;
  const mine = headUnits(snap.head).filter((u) => !carried.has(u.id));
  return { head: now, headVersion, objects: laidOver(snap.objects, mine), rebuilt: true };
}

/**
 * The units of the head (oldest first) that stay beside a new one: the newest KEPT_UNITS, and
 * older ones whose ids are in `open` (not known applied), all within KEPT_UNIT_BYTES.
 */
function keptOf(units: readonly Unit[], open: ReadonlySet<string>): Unit[] {
  const kept: Unit[] = [];
  let bytes = 0;
  for (const u of [...units].reverse()) {
    if (kept.length >= KEPT_UNITS && !open.has(u.id)) continue;
    bytes += JSON.stringify(u).length;
    if (bytes > KEPT_UNIT_BYTES) break;
    kept.unshift(u);
  }
  return kept;
}

/** The units in the head, oldest first: each counts as applied, whether or not its writes are there yet. */
export function headUnits(head: HeadState): Unit[] {
  return [...(head.earlier ?? []), ...(head.unit ? [head.unit] : [])];
}

export function parseHead(object: StoredObject | undefined): { head: HeadState; resourceVersion?: string } {
  if (!object) return { head: EMPTY_HEAD_STATE };
  try {
    const head = JSON.parse(object.data.head ?? '') as HeadState;
    if (typeof head.count !== 'number' || typeof head.hash !== 'string') throw new Error('not a head');
    const tail = head.tail ?? [];
    return { head: { ...head, recent: head.recent ?? [], tail, tailFrom: head.tailFrom ?? head.count - tail.length + 1 }, resourceVersion: object.resourceVersion };
  } catch {
    throw new StoreError(`The team store's head object ${HEAD_NAME} is not a head ecp wrote; it was left unchanged.`);
  }
}

/** Runs `tasks` with at most `limit` at a time. */
async function inParallel(tasks: readonly (() => Promise<void>)[], limit = PARALLEL_WRITES): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

async function idempotent(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
  }
}

export class UnitWriter {
  /** Ids of units this writer rolled forward: applied, though a list cannot show an archive's append. */
  private readonly rolled: string[] = [];

  constructor(readonly objects: StoreObjects) {}

  /** Applies every write of `unit`; each is safe to repeat, and to run after a later unit. */
  async rollForward(unit: Unit): Promise<void> {
    const o = this.objects;
    const tasks: (() => Promise<void>)[] = unit.writes.map((w) => async () => {
      switch (w.op) {
        case 'create':
          return idempotent(() => o.create(w.name, w.labels, w.data));
        case 'replace':
          return idempotent(() => o.replace(w.name, w.base, w.labels, w.data));
        case 'delete':
          return idempotent(() => o.remove(w.name, w.base));
        case 'append': {
          if (w.base === undefined) return idempotent(() => o.create(w.name, w.labels, { lines: w.text }));
          const current = await o.read(w.name);
          if (current?.resourceVersion !== w.base) return;
          return idempotent(() => o.replace(w.name, w.base!, w.labels, { lines: (current.data.lines ?? '') + w.text }));
        }
      }
    });
    await inParallel(tasks);
    this.rolled.unshift(unit.id);
    this.rolled.length = Math.min(this.rolled.length, RECENT);
  }

  writeHead(head: HeadState, resourceVersion: string | undefined): Promise<StoredObject | undefined> {
    const text = JSON.stringify(head);
    if (text.length > MAX_HEAD_BYTES) {
      throw new StoreError(`The change ${head.unit?.summary ?? ''} is too large for one unit of the team store (${text.length} bytes, at most ${MAX_HEAD_BYTES}); nothing changed.`);
    }
    const labels = { [KIND_LABEL]: HEAD_KIND };
    return resourceVersion === undefined ? this.objects.create(HEAD_NAME, labels, { head: text }) : this.objects.replace(HEAD_NAME, resourceVersion, labels, { head: text });
  }

  /**
   * Commits one unit: `prepare` runs on a snapshot (the caller lays the head's units over its
   * objects) and returns the writes and audit lines (chained from the head's hash), or nothing
   * to write. A writer that lost the swap runs `prepare` again on the state `snapshots` takes
   * right after the 409: the winner's head (from the head watch, or read), with the units since
   * laid over its last snapshot, when they are all still in the head (the usual case; see
   * KubeStore.snapshot). A loser's retry is then the swap alone, or a read and the swap: it is
   * the likelier to win the next swap.
   */
  async commit<T>(snapshots: Snapshots, prepare: (snap: Snapshot) => Promise<Prepared<T>>): Promise<T> {
    const until = Date.now() + MAX_WRITE_MS;
    /** The snapshot read after a lost swap, for the next attempt. */
    let after: Snapshot | undefined;
    /** The next attempt needs a list (what its writes are based on must be as listed). */
    let relist = false;
    for (let attempt = 1; Date.now() < until; attempt++) {
      const snap = after ?? (await snapshots.take(relist));
      const listed = !snap.rebuilt;
      after = undefined;
      relist = false;
      const { head } = snap;
      const pending = pendingWrites(headUnits(head), snap.objects);
      // Each unit's writes not yet applied (nor overtaken by a later unit's, nor known rolled forward).
      const applied = new Set([...(head.applied ?? []), ...this.rolled]);
      const open = headUnits(head)
        .filter((u) => !applied.has(u.id))
        .map((u) => ({ ...u, writes: u.writes.filter((w) => pending.get(w.name) === w) }))
        .filter((u) => u.writes.length > 0);
      const prepared = await prepare(snap);
      if ('nothing' in prepared) return prepared.result;
      // A write to an object an open unit writes (an archive it appends to; a record known only from it, resourceVersion '') would race that unit's roll forward, and could make it look applied: apply the units, then start again from a list.
      const touched = new Set(open.flatMap((u) => u.writes.map((w) => w.name)));
      if (prepared.writes.some((w) => touched.has(w.name) || ('base' in w && w.base === ''))) {
        for (const u of open) await this.rollForward(u);
        relist = true;
        continue;
      }
      // The newest units stay. An older one a list shows not applied (its writer died or stalled) is applied here before it leaves; a rebuilt snapshot cannot tell, so it keeps those (while the head has room).
      const kept = keptOf(headUnits(head), listed ? new Set() : new Set(open.map((u) => u.id)));
      for (const u of open) if (!kept.some((k) => k.id === u.id)) await this.rollForward(u);
      // The swap is this unit's one write: a holder that lost its Lease meanwhile stops before it.
      await confirmHolds(`the store write ${prepared.summary}`);
      const { writes, tail, tailFrom } = withAuditTail(head, prepared.writes, prepared.lines);
      const unit: Unit = { id: randomBytes(9).toString('base64url'), summary: prepared.summary, writes };
      const count = head.count + prepared.lines.length;
      const hash = prepared.lines.length ? prepared.lastHash : head.hash;
      const key = process.env.ECP_AUDIT_KEY;
      const next: HeadState = {
        count,
        hash,
        ...(key ? { mac: headMac({ count, hash, size: 0 }, key) } : {}),
        recent: [unit.id, ...head.recent].slice(0, RECENT),
        tail,
        tailFrom,
        unit,
        ...(kept.length ? { earlier: kept } : {}),
        ...(kept.some((u) => applied.has(u.id)) ? { applied: kept.filter((u) => applied.has(u.id)).map((u) => u.id) } : {}),
        images: prepared.images ?? head.images,
      };
      try {
        const written = await this.writeHead(next, snap.headVersion);
        if (!written) continue;
        snapshots.swapped(snap, next, written.resourceVersion);
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        // Lost the swap — or won it and the network lost the answer (the repeat then conflicts with itself).
        const now = await snapshots.take(false, snap.headVersion);
        if (!now.head.recent.includes(unit.id)) {
          after = now;
          // Losing again means others keep committing: spread out (full jitter, growing), the first retry at once.
          if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 * 2 ** attempt)));
          continue;
        }
      }
      reachPoint('unit-committed');
      await this.rollForward(unit);
      return prepared.result;
    }
    throw new StoreError(`The team store in ${this.objects.where} kept changing under this write for ${MAX_WRITE_MS / 1000} s; nothing changed, try again.`);
  }
}
