/**
 * The audit trail: `<dataDir>/audit.jsonl`, append-only JSON lines. Each event carries the sha256
 * of the line before it; `audit.head` acknowledges the count, the hash of the last line and the
 * bytes they fill (with an HMAC when ECP_AUDIT_KEY is set). Events are written with the store
 * change they record as one unit (journal.ts). `verify` tells a crash tail (an unfinished line, or
 * lines the head never acknowledged) from an edit; `repair` removes only the former, and records
 * what it removed. docs/store.md says exactly what is and is not detected.
 */
import { readFileSync } from 'node:fs';
import type { AuditEvent } from '../domain/types.js';
import { StoreError } from '../errors.js';
import { confirmHolds } from '../held-services.js';
import type { AuditTrail } from './backend.js';
import { type AuditHead, headMac, Journal, sha256 } from './journal.js';
import { readLines } from './jsonl.js';
import { counted } from '../domain/words.js';

export { sha256 };

export type NewAuditEvent = Omit<AuditEvent, 'prev' | 'at'> & { at?: string };

/** A crash tail `repair` may remove: an unfinished last line, or complete lines the head never acknowledged. */
export type CrashTail = { kind: 'unfinished' | 'unacknowledged'; offset: number; bytes: number; lines: number };

export type AuditVerdict = { ok: true; count: number; anchors: number; message: string } | { ok: false; line: number; problem: string; message: string; tail?: CrashTail };

/** A copy of the head kept outside the data dir (a git deploy tag's annotation). */
export interface AuditAnchor {
  where: string;
  count: number;
  hash: string;
}

const ANCHOR = /^ecp-audit-head: (\d+) ([0-9a-f]{64}|-)$/m;

/** The annotation line that anchors a head in a git tag. */
export function anchorLine(head: Pick<AuditHead, 'count' | 'hash'>): string {
  return `ecp-audit-head: ${head.count} ${head.hash || '-'}`;
}

export function parseAnchor(where: string, message: string): AuditAnchor | undefined {
  const match = ANCHOR.exec(message);
  if (!match) return undefined;
  return { where, count: Number(match[1]), hash: match[2] === '-' ? '' : match[2]! };
}

/** Keys whose values never reach the trail (DESIGN: nothing secret is written). */
const SECRET_KEY = /pass(word)?|secret|token|auth|credential/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}

export function completeEvent(event: NewAuditEvent, prev: string): AuditEvent {
  return {
    at: event.at ?? new Date().toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    details: redact(event.details) as Record<string, unknown>,
    prev,
  };
}

/** The lines of `events`, chained from `prev`; `written` receives the events as stored. */
export function chainLines(events: readonly NewAuditEvent[], prev: string, written: AuditEvent[] = []): string[] {
  return events.map((event) => {
    const full = completeEvent(event, prev);
    const line = JSON.stringify(full);
    prev = sha256(line);
    written.push(full);
    return line;
  });
}

export function describeEvents(events: readonly NewAuditEvent[]): string {
  const shown = events.slice(0, 3).map((e) => `${e.action} ${e.target}`.slice(0, 100));
  return `${shown.join(', ')}${events.length > 3 ? ` and ${events.length - 3} more` : ''}`;
}

export class AuditLog implements AuditTrail {
  readonly file: string;
  readonly journal: Journal;

  constructor(dataDirOrJournal: string | Journal) {
    this.journal = typeof dataDirOrJournal === 'string' ? new Journal(dataDirOrJournal) : dataDirOrJournal;
    this.file = this.journal.auditFile;
  }

  get where(): string {
    return this.file;
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    return (await this.appendMany([event]))[0]!;
  }

  /** Appends several events as one unit, chained in order. */
  async appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    if (events.length === 0) return [];
    const summary = describeEvents(events);
    return this.journal.locked(`the audit events ${summary}`, async (lock) => {
      await confirmHolds(`the audit events ${summary}`);
      const written: AuditEvent[] = [];
      this.journal.commit(lock, { auditLines: (prev) => chainLines(events, prev, written), summary });
      return written;
    });
  }

  private async settled(): Promise<void> {
    if (this.journal.pending()) await this.journal.locked('the recovery of a half-done write', async () => undefined);
  }

  /** The trail's lines, exactly as chained. */
  async lines(): Promise<string[]> {
    await this.settled();
    return readLines(this.file);
  }

  async list(limit?: number): Promise<AuditEvent[]> {
    const events = (await this.lines()).map((l) => JSON.parse(l) as AuditEvent);
    return limit === undefined ? events : events.slice(-limit);
  }

  /** The acknowledged head, for anchoring it outside the data dir. */
  async head(): Promise<AuditHead> {
    await this.settled();
    return this.journal.readHead();
  }

  /**
   * Checks the chain line by line, then the head against the end of the trail (and its HMAC when
   * ECP_AUDIT_KEY is set), then each anchor found outside the data dir.
   */
  async verify(anchors: readonly AuditAnchor[] = []): Promise<AuditVerdict> {
    await this.settled();
    let text: Buffer;
    try {
      text = readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = Buffer.alloc(0);
    }
    const fail = (line: number, problem: string, tail?: CrashTail): AuditVerdict => ({
      ok: false,
      line,
      problem,
      tail,
      message: `${this.file}: line ${line} ${problem}.`,
    });
    let head: AuditHead;
    try {
      head = this.journal.readHead();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      return { ok: false, line: 0, problem: error.message, message: error.message.replace(/; nothing changed\.$/, '.').replace(/; run `ecp audit verify`/, '') };
    }

    // Complete lines, their byte ends, and a chain check as we go.
    const ends: number[] = [];
    const hashes: string[] = [];
    let offset = 0;
    let prev = '';
    while (offset < text.length) {
      const end = text.indexOf(0x0a, offset);
      if (end < 0) break;
      const line = text.subarray(offset, end).toString('utf8');
      const number = ends.length + 1;
      let event: AuditEvent;
      try {
        event = JSON.parse(line) as AuditEvent;
      } catch {
        return fail(number, 'is not valid JSON');
      }
      if (event.prev !== prev) return fail(number, 'does not follow the line before it (edited, removed or reordered)');
      prev = sha256(line);
      hashes.push(prev);
      offset = end + 1;
      ends.push(offset);
    }
    const count = ends.length;
    if (head.count > count) return fail(count + 1, `is missing: the trail should hold ${head.count} events`);
    const headEnd = head.count === 0 ? 0 : ends[head.count - 1]!;
    if (head.count > 0 && hashes[head.count - 1] !== head.hash) return fail(head.count, 'was edited');
    if (headEnd !== head.size) return fail(head.count, `does not end where ${this.journal.headFile} says (edited)`);
    const key = process.env.ECP_AUDIT_KEY;
    if (key && head.count > 0 && head.mac === undefined) {
      return fail(head.count, `is the end ${this.journal.headFile} claims, but the head carries no HMAC (written before ECP_AUDIT_KEY was set, or its HMAC was removed); the next write signs it`);
    }
    if (key && head.count > 0 && head.mac !== headMac(head, key)) {
      return fail(head.count, `is the end ${this.journal.headFile} claims, but its HMAC does not match ECP_AUDIT_KEY (the head was rewritten without the key)`);
    }
    for (const anchor of anchors) {
      if (anchor.count > head.count) {
        return fail(head.count + 1, `is missing: ${anchor.where} anchors ${anchor.count} events, the trail holds ${head.count}`);
      }
      if (anchor.count > 0 && hashes[anchor.count - 1] !== anchor.hash) {
        return fail(anchor.count, `is not the event ${anchor.where} anchors (the trail was rewritten up to there)`);
      }
    }
    if (count > head.count) {
      const tail: CrashTail = { kind: 'unacknowledged', offset: head.size, bytes: text.length - head.size, lines: count - head.count };
      const which = tail.lines === 1 ? 'follows the chain but' : `and the ${tail.lines - 1} after it follow the chain but`;
      return fail(
        head.count + 1,
        `${which} ${this.journal.headFile} never acknowledged ${tail.lines === 1 ? 'it' : 'them'} (a crash between the two writes, or lines added by hand); \`ecp audit repair\` moves ${tail.lines === 1 ? 'it' : 'them'} into its own event`,
        tail,
      );
    }
    if (offset < text.length) {
      const tail: CrashTail = { kind: 'unfinished', offset, bytes: text.length - offset, lines: 0 };
      return fail(count + 1, `is an unfinished write of ${tail.bytes} bytes (a crash or a full disk cut it short); \`ecp audit repair\` moves it into its own event`, tail);
    }
    const anchored = anchors.length ? `, ${counted(anchors.length, 'anchor')} ${anchors.length === 1 ? 'matches' : 'match'}` : '';
    const unkeyed = !key && head.mac ? ' (its HMAC was not checked: ECP_AUDIT_KEY is not set)' : '';
    return { ok: true, count, anchors: anchors.length, message: `${this.file}: ${count} events, chain intact${anchored}${unkeyed}.` };
  }

  /**
   * Removes a crash tail (and only that), keeping its bytes in an `audit.repair` event that says
   * what was removed. Returns the sentence to print, or throws when the trail needs no repair of
   * that kind.
   */
  async repair(actor: string): Promise<{ repaired: boolean; message: string }> {
    return this.journal.locked('the audit repair', async (lock) => {
      const verdict = await this.verify();
      if (verdict.ok) return { repaired: false, message: `${verdict.message.replace(/\.$/, '')}: nothing to repair.` };
      const tail = verdict.tail;
      if (!tail) {
        throw new StoreError(`${verdict.message.replace(/\.$/, '')}; that is not a crash tail, and \`ecp audit repair\` removes nothing else: nothing changed.`);
      }
      const removed = readFileSync(this.file).subarray(tail.offset).toString('utf8');
      const description =
        tail.kind === 'unfinished' ? `an unfinished line of ${tail.bytes} bytes` : `${counted(tail.lines, 'line')} (${tail.bytes} bytes) that ${this.journal.headFile} never acknowledged`;
      this.journal.truncateAuditTo(lock, tail.offset, tail.offset + tail.bytes);
      const event: NewAuditEvent = { actor, action: 'audit.repair', target: 'audit.jsonl', details: { removed: description, bytes: removed } };
      this.journal.commit(lock, { auditLines: (prev) => chainLines([event], prev), summary: 'audit.repair' });
      return { repaired: true, message: `Removed ${description} from the end of ${this.file}; they are kept, as they were, in the audit.repair event now at its end.` };
    });
  }
}
