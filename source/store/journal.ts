/**
 * One write of the data dir as one unit: a new store.json and the audit events that record it land
 * together, or neither does (docs/store.md, "The write protocol"). Under the data dir's lock:
 *
 *   1. the new store text goes to a temp file beside store.json (its real target, its mode);
 *   2. `store.journal.json` (temp + rename) names that temp file, the hashes of the store before
 *      and after, the audit bytes and the offset they go to, and the audit head before and after —
 *      the commit point;
 *   3. the audit bytes are written at their offset, then `audit.head`, then the temp file is
 *      renamed over the store, then the journal is removed.
 *
 * A process that dies after 2 leaves the journal: the next one that takes the lock (any write, any
 * read) finds it and completes the unit when the store and trail are still as the journal expects,
 * or undoes it when they moved on; either way it says so. A failure the writer sees itself (a full
 * disk) undoes the unit at once: exit 2, nothing changed. Only store changes without audit events
 * skip the journal (one rename is already atomic).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { errorMessage, fsProblem, isFsError, StoreError } from '../errors.js';
import { reachPoint } from './crash-points.js';
import { acquireLock, type HeldLock, LockLostError } from './lock.js';

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** What `audit.head` holds: how many events, the hash of the last line, the byte size they fill. */
export interface AuditHead {
  count: number;
  hash: string;
  size: number;
  /** HMAC-SHA256 of count:hash:size with ECP_AUDIT_KEY, when that key is set. */
  mac?: string;
}

export const EMPTY_HEAD: AuditHead = { count: 0, hash: '', size: 0 };

export function headMac(head: Pick<AuditHead, 'count' | 'hash' | 'size'>, key: string): string {
  return createHmac('sha256', key).update(`${head.count}:${head.hash}:${head.size}`).digest('hex');
}

interface JournalRecord {
  pid: number;
  summary: string;
  store?: { temp: string; target: string; before: string; after: string };
  audit?: { offset: number; text: string; headBefore: AuditHead | null; headAfter: AuditHead };
}

/** A unit to commit: the store's text before and after (undefined: unchanged), audit lines to add. */
export interface Unit {
  store?: { before: string | undefined; after: string };
  /** The audit lines to add, chained from the hash the trail ends with. */
  auditLines?: (prev: string) => string[];
  summary: string;
}

/** The file a path names, through a symbolic link (a symlinked store.json is written where it points). */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function readOptional(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Writes `text` to a new temp file beside `target` and renames it over `target`, keeping its mode. */
function replaceFile(target: string, text: string): void {
  const temp = tempBeside(target);
  try {
    fs.writeFileSync(temp, text, { flag: 'wx', mode: modeOf(target) });
    fs.renameSync(temp, target);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
}

function modeOf(file: string): number {
  try {
    return fs.statSync(file).mode & 0o7777;
  } catch {
    return 0o644;
  }
}

function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

export class Journal {
  readonly storeFile: string;
  readonly auditFile: string;
  readonly headFile: string;
  readonly journalFile: string;

  constructor(
    readonly dataDir: string,
    readonly notify: (sentence: string) => void = (s) => process.stderr.write(`ecp: ${s}\n`),
    readonly lockWaitMs?: number,
  ) {
    this.storeFile = path.join(dataDir, 'store.json');
    this.auditFile = path.join(dataDir, 'audit.jsonl');
    this.headFile = path.join(dataDir, 'audit.head');
    this.journalFile = path.join(dataDir, 'store.journal.json');
  }

  /** True when a unit was left half-done (reads recover it first). */
  pending(): boolean {
    return fs.existsSync(this.journalFile);
  }

  /** Runs `work` under the data dir's lock, after completing or undoing a half-done unit. */
  async locked<T>(what: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
    try {
      fs.mkdirSync(this.dataDir, { recursive: true });
    } catch (error) {
      throw new StoreError(`The data folder cannot be used: ${fsProblem(error, this.dataDir)}; nothing changed.`);
    }
    const lock = await acquireLock(this.storeFile, this.lockWaitMs);
    try {
      await this.recover(lock);
      return await work(lock);
    } catch (error) {
      if (isFsError(error)) throw new StoreError(`ecp could not finish ${what}: ${fsProblem(error, error.path ?? this.dataDir)}; nothing changed.`);
      throw error;
    } finally {
      lock.release();
    }
  }

  /** The head as `audit.head` says; EMPTY_HEAD for a trail not yet started. Refuses a head it cannot trust. */
  readHead(): AuditHead {
    const raw = readOptional(this.headFile);
    if (raw === undefined) {
      const size = fs.statSync(this.auditFile, { throwIfNoEntry: false })?.size ?? 0;
      if (size > 0) throw new StoreError(`${this.headFile} is missing although ${this.auditFile} holds events (removed by hand?); run \`ecp audit verify\`; nothing changed.`);
      return EMPTY_HEAD;
    }
    const head = parseHead(raw.toString('utf8'));
    if (!head) throw new StoreError(`${this.headFile} is not an audit head ecp wrote; run \`ecp audit verify\`; nothing changed.`);
    if (head.size === undefined) return { ...head, size: byteLengthOfLines(readOptional(this.auditFile), head.count) };
    return head as AuditHead;
  }

  /** The head a new event chains from; refuses a trail whose end the head does not account for. */
  private headToExtend(): AuditHead {
    const head = this.readHead();
    const key = process.env.ECP_AUDIT_KEY;
    // A head without an HMAC was written before the key was set: the next one is signed.
    if (key && head.mac !== undefined && head.mac !== headMac(head, key)) {
      throw new StoreError(`${this.headFile} does not carry a valid HMAC for ECP_AUDIT_KEY; run \`ecp audit verify\`; nothing changed.`);
    }
    const size = fs.statSync(this.auditFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size > head.size) {
      throw new StoreError(
        `${this.auditFile} ends in ${size - head.size} bytes that no acknowledged event accounts for (a write cut short by a crash, or an addition by hand); run \`ecp audit verify\` and \`ecp audit repair\`; nothing changed.`,
      );
    }
    if (size < head.size) {
      throw new StoreError(`${this.auditFile} is shorter than ${this.headFile} says (cut or edited); run \`ecp audit verify\`; nothing changed.`);
    }
    return head;
  }

  /** Commits one unit under `lock`: both parts land, or (on a failure seen here) neither does. */
  commit(lock: HeldLock, unit: Unit): void {
    let record: JournalRecord = { pid: process.pid, summary: unit.summary };
    if (unit.store) {
      const target = realTarget(this.storeFile);
      const temp = tempBeside(target);
      // An absent store hashes as an empty one (recovery reads a missing file as '').
      record.store = { temp, target, before: sha256(unit.store.before ?? ''), after: sha256(unit.store.after) };
      try {
        fs.writeFileSync(temp, unit.store.after, { flag: 'wx', mode: modeOf(target) });
        reachPoint('store-temp-written');
      } catch (error) {
        unlinkQuietly(temp);
        throw error;
      }
      if (!unit.auditLines) {
        try {
          lock.assertHeld('writing the store');
          fs.renameSync(temp, target);
        } catch (error) {
          unlinkQuietly(temp);
          throw error;
        }
        reachPoint('store-renamed');
        return;
      }
    }
    if (unit.auditLines) {
      try {
        record = { ...record, audit: this.auditPart(unit.auditLines) };
      } catch (error) {
        if (record.store) unlinkQuietly(record.store.temp);
        throw error;
      }
    }
    try {
      lock.assertHeld('writing the store and the audit trail');
      replaceFile(this.journalFile, JSON.stringify(record));
    } catch (error) {
      if (record.store) unlinkQuietly(record.store.temp);
      throw error;
    }
    try {
      reachPoint('journal-written');
      this.apply(record, lock);
    } catch (error) {
      if (error instanceof LockLostError) throw error; // the journal is the next holder's to finish
      this.undoAfterFailure(record, error);
    }
    // The unit is complete: a journal that cannot be removed is completed again (a no-op) next time.
    unlinkQuietly(this.journalFile);
  }

  private auditPart(build: (prev: string) => string[]): NonNullable<JournalRecord['audit']> {
    const headBefore = this.headToExtend();
    const lines = build(headBefore.hash);
    const text = lines.map((l) => `${l}\n`).join('');
    const after = { count: headBefore.count + lines.length, hash: sha256(lines.at(-1)!), size: headBefore.size + Buffer.byteLength(text) };
    const key = process.env.ECP_AUDIT_KEY;
    const headAfter: AuditHead = key ? { ...after, mac: headMac(after, key) } : after;
    const onDisk = fs.existsSync(this.headFile) ? headBefore : null;
    return { offset: headBefore.size, text, headBefore: onDisk, headAfter };
  }

  /** Cuts the trail back to `offset` (`audit repair`), if it still ends at `end`. */
  truncateAuditTo(lock: HeldLock, offset: number, end: number): void {
    lock.assertHeld('repairing the audit trail');
    const size = fs.statSync(this.auditFile).size;
    if (size !== end) throw new StoreError(`${this.auditFile} changed while it was being repaired; nothing changed.`);
    fs.truncateSync(this.auditFile, offset);
  }

  /** Steps 3–5 of the protocol (all but removing the journal); each one is safe to repeat. */
  private apply(record: JournalRecord, lock: HeldLock): void {
    if (record.audit) {
      const { offset, text, headAfter } = record.audit;
      lock.assertHeld('appending to the audit trail', true);
      const fd = fs.openSync(this.auditFile, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644);
      try {
        const bytes = Buffer.from(text);
        // A positional write: repeating it (recovery after a crash here) writes the same bytes again.
        fs.writeSync(fd, bytes, 0, bytes.length, offset);
      } finally {
        fs.closeSync(fd);
      }
      reachPoint('audit-appended');
      lock.assertHeld('acknowledging the audit events', true);
      const now = readOptional(this.headFile);
      // Never move the head back (a journal completed late, after later events were acknowledged).
      if ((parseHead(now?.toString('utf8') ?? '')?.count ?? -1) <= headAfter.count) {
        replaceFile(realTarget(this.headFile), JSON.stringify(headAfter));
      }
      reachPoint('head-written');
    }
    if (record.store) {
      lock.assertHeld('replacing the store', true);
      if (fs.existsSync(record.store.temp)) fs.renameSync(record.store.temp, record.store.target);
      reachPoint('store-renamed');
    }
  }

  /** Takes back what `apply` did before it failed, then reports the failure as "nothing changed". */
  private undoAfterFailure(record: JournalRecord, failure: unknown): never {
    try {
      this.undo(record);
    } catch (undoError) {
      throw new StoreError(
        `ecp could not finish ${record.summary} (${describe(failure, this.dataDir)}) nor take it back (${describe(undoError, this.dataDir)}); the next ecp run completes or undoes it and says so.`,
      );
    }
    throw new StoreError(`ecp could not write ${record.summary}: ${describe(failure, this.dataDir)}; nothing changed.`);
  }

  private undo(record: JournalRecord): void {
    if (record.store) unlinkQuietly(record.store.temp);
    if (record.audit) {
      const { offset, headBefore, headAfter } = record.audit;
      const head = readOptional(this.headFile);
      if (head !== undefined && sameHead(parseHead(head.toString('utf8')), headAfter)) {
        if (headBefore) replaceFile(realTarget(this.headFile), JSON.stringify(headBefore));
        else fs.unlinkSync(this.headFile);
      }
      if ((fs.statSync(this.auditFile, { throwIfNoEntry: false })?.size ?? 0) > offset && this.auditBytesAre(record.audit, 'prefix')) {
        fs.truncateSync(this.auditFile, offset);
      }
    }
    fs.unlinkSync(this.journalFile);
  }

  /** Whether the trail from the unit's offset holds all of its bytes, or a (possibly empty) prefix of them. */
  private auditBytesAre(audit: NonNullable<JournalRecord['audit']>, how: 'all' | 'prefix'): boolean {
    const want = Buffer.from(audit.text);
    const size = fs.statSync(this.auditFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size < audit.offset) return false;
    const have = size - audit.offset;
    if (how === 'all' ? have < want.length : have > want.length) return false;
    const length = Math.min(have, want.length);
    if (length === 0) return true;
    const fd = fs.openSync(this.auditFile, 'r');
    try {
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, audit.offset);
      return buffer.equals(want.subarray(0, length));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Whether a journal left behind can still be completed: the store and trail are as it expects. */
  private completable(record: JournalRecord): boolean {
    if (record.store) {
      const now = sha256(readOptional(record.store.target) ?? '');
      const tempReady = fs.existsSync(record.store.temp) && sha256(fs.readFileSync(record.store.temp)) === record.store.after;
      if (now !== record.store.after && !(now === record.store.before && tempReady)) return false;
    }
    if (record.audit) {
      if (this.auditBytesAre(record.audit, 'all')) return true;
      const head = readOptional(this.headFile);
      const headNow = head === undefined ? null : parseHead(head.toString('utf8'));
      const headUnmoved = record.audit.headBefore === null ? headNow === null : sameHead(headNow, record.audit.headBefore);
      return headUnmoved && this.auditBytesAre(record.audit, 'prefix');
    }
    return true;
  }

  /** Completes or undoes a unit a process left half-done, and says which; then removes stray temp files. */
  private async recover(lock: HeldLock): Promise<void> {
    const raw = readOptional(this.journalFile);
    if (raw !== undefined) {
      let record: JournalRecord;
      try {
        record = JSON.parse(raw.toString('utf8')) as JournalRecord;
      } catch {
        throw new StoreError(`${this.journalFile} (a write left half-done) cannot be read; it was left for inspection and nothing changed.`);
      }
      if (this.completable(record)) {
        this.apply(record, lock);
        fs.unlinkSync(this.journalFile);
        this.notify(`completed a write that an earlier ecp run (pid ${record.pid}) left half-done: ${record.summary}.`);
      } else {
        this.undo(record);
        this.notify(`undid a write that an earlier ecp run (pid ${record.pid}) left half-done, because the store moved on since: ${record.summary}; nothing of it was kept.`);
      }
    }
    this.removeStrayTemps();
  }

  /** Temp files of writers that died before their commit point (only the lock holder may remove them). */
  private removeStrayTemps(): void {
    for (const target of [realTarget(this.storeFile), realTarget(this.headFile), this.journalFile]) {
      const prefix = `.${path.basename(target)}.`;
      let names: string[];
      try {
        names = fs.readdirSync(path.dirname(target));
      } catch {
        continue;
      }
      for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) unlinkQuietly(path.join(path.dirname(target), name));
    }
  }
}

function describe(error: unknown, dataDir: string): string {
  return isFsError(error) ? fsProblem(error, error.path ?? dataDir) : errorMessage(error);
}

function parseHead(text: string): (Omit<AuditHead, 'size'> & { size?: number }) | undefined {
  try {
    const head = JSON.parse(text) as Partial<AuditHead>;
    if (!Number.isInteger(head.count) || head.count! < 0 || typeof head.hash !== 'string') return undefined;
    if (head.size !== undefined && (!Number.isInteger(head.size) || head.size < 0)) return undefined;
    return head as AuditHead;
  } catch {
    return undefined;
  }
}

function sameHead(a: Partial<AuditHead> | undefined | null, b: AuditHead): boolean {
  return !!a && a.count === b.count && a.hash === b.hash;
}

/** Bytes taken by the first `count` lines (heads written before heads had a size). */
function byteLengthOfLines(text: Buffer | undefined, count: number): number {
  if (!text) return 0;
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const end = text.indexOf(0x0a, offset);
    if (end < 0) return text.length;
    offset = end + 1;
  }
  return offset;
}
