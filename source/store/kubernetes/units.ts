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
 * state. Then the unit is rolled forward (each write is idempotent: a create that meets the
 * object, a replace or delete whose base moved on, both mean "done already") and the head is
 * swapped once more without it. A writer that dies after the commit leaves the unit in the head:
 * readers see it as applied (they lay it over what they list), and the next writer rolls it
 * forward before it reads. The audit events travel in the swap itself: the head keeps the newest
 * of them (its tail), and a unit that finds the tail full packs it into an archive object.
 */
import { randomUUID } from 'node:crypto';
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
  /** The unit committed and not yet rolled forward. */
  unit?: Unit;
  /** The archived images' Bloom filter (image-filter.ts); absent in a head written before it, until the next write. */
  images?: string;
}

export const EMPTY_HEAD_STATE: HeadState = { count: 0, hash: '', recent: [], tail: [], tailFrom: 1 };
const RECENT = 64;
/** A ConfigMap holds at most 1 MiB; the head must hold the unit being committed. */
const MAX_HEAD_BYTES = 900_000;
/** A writer that keeps losing the swap gives up after this long (others were writing all the while). */
const MAX_WRITE_MS = 60_000;
const PARALLEL_WRITES = 8;
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
  }

  /** Rolls the head's pending unit forward and takes it out of the head (unless someone did already). */
  async settle(head: HeadState, resourceVersion: string): Promise<void> {
    if (!head.unit) return;
    await this.rollForward(head.unit);
    await idempotent(() => this.writeHead({ ...head, unit: undefined }, resourceVersion));
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
   * Commits one unit: `prepare` runs on a fresh snapshot whose head has no pending unit and
   * returns the writes and audit lines (chained from the head's hash), or undefined when there
   * is nothing to write. A writer that lost the swap runs `prepare` again on the new state.
   */
  async commit<S extends { head: HeadState; headVersion?: string }, T>(snapshot: () => Promise<S>, prepare: (snap: S) => Promise<Prepared<T>>): Promise<T> {
    const until = Date.now() + MAX_WRITE_MS;
    for (let attempt = 1; Date.now() < until; attempt++) {
      const snap = await snapshot();
      if (snap.head.unit) {
        await this.settle(snap.head, snap.headVersion!);
        continue;
      }
      const prepared = await prepare(snap);
      if ('nothing' in prepared) return prepared.result;
      const { head } = snap;
      // The swap is this unit's one write: a holder that lost its Lease meanwhile stops before it.
      await confirmHolds(`the store write ${prepared.summary}`);
      const { writes, tail, tailFrom } = withAuditTail(head, prepared.writes, prepared.lines);
      const unit: Unit = { id: randomUUID(), summary: prepared.summary, writes };
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
        images: prepared.images ?? head.images,
      };
      let stored: StoredObject | undefined;
      try {
        stored = await this.writeHead(next, snap.headVersion);
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        // Lost the swap — or won it and the network lost the answer (the repeat then conflicts with itself).
        const now = parseHead(await this.objects.read(HEAD_NAME));
        if (now.head.recent.includes(unit.id)) {
          if (now.head.unit) await this.settle(now.head, now.resourceVersion!);
          return prepared.result;
        }
        // Exponential backoff with full jitter: writers that collided spread out instead of colliding again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 6))));
        continue;
      }
      if (!stored) continue;
      reachPoint('unit-committed');
      await this.settle(next, stored.resourceVersion);
      return prepared.result;
    }
    throw new StoreError(`The team store in ${this.objects.where} kept changing under this write for ${MAX_WRITE_MS / 1000} s; nothing changed, try again.`);
  }
}
