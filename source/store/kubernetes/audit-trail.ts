/**
 * The team store's audit trail: each event the line exactly as chained, carrying the sha256 of
 * the line before. The newest events are the head object's `tail`, advanced only by the
 * compare-and-swap that commits a unit (units.ts); older ones are packed, by that same swap, into
 * archive objects (`ecp-audit-archive-<first seq>`, JSON lines). A store written before the tail
 * moved into the head keeps those events one object each (`ecp-audit-<seq>`): read all the same.
 * `verify` reads the archives, those objects and the head in one list (one revision) and reports
 * the first event that was edited, removed, reordered or added — within an archive or across an
 * archive's boundary — a removed last event (the head counts more), a head rewritten without
 * ECP_AUDIT_KEY, and anchors (git deploy tags) the trail does not match.
 */
import type { AuditEvent } from '../../domain/types.js';
import { StoreError } from '../../errors.js';
import type { AuditAnchor, AuditVerdict, NewAuditEvent } from '../audit.js';
import type { AuditTrail } from '../backend.js';
import { type AuditHead, headMac, sha256 } from '../journal.js';
import { AUDIT_ARCHIVE_KIND, EVENT_KIND, HEAD_KIND, HEAD_NAME } from './names.js';
import { KIND_LABEL } from './objects.js';
import type { KubeStore } from './store.js';
import { type AuditLine, type HeadState, headUnits, parseHead } from './units.js';
import { counted } from '../../domain/words.js';

const EVENT_NAME = /^ecp-audit-(\d{10})$/;
const ARCHIVE_NAME = /^ecp-audit-archive-(\d{10})$/;

export class KubeAuditTrail implements AuditTrail {
  constructor(readonly store: KubeStore) {}

  get where(): string {
    return this.store.where;
  }

  /** The events as stored and the head, from one list (one revision); the archives the head's units create laid over. */
  async lines(): Promise<{ lines: AuditLine[]; head: HeadState }> {
    const listed = await this.store.objects.list(`${KIND_LABEL} in (${HEAD_KIND},${EVENT_KIND},${AUDIT_ARCHIVE_KIND})`);
    if (!listed.some((o) => o.name === HEAD_NAME)) await this.store.objects.confirmNamespace();
    const { head } = parseHead(listed.find((o) => o.name === HEAD_NAME));
    const bySeq = new Map<number, string>();
    const archives = new Map<string, string>();
    for (const o of listed) {
      const kind = o.labels[KIND_LABEL];
      const seq = EVENT_NAME.exec(o.name);
      if (seq && kind === EVENT_KIND) bySeq.set(Number(seq[1]), o.data.event ?? '');
      if (kind === AUDIT_ARCHIVE_KIND) archives.set(o.name, o.data.lines ?? '');
    }
    for (const w of headUnits(head).flatMap((u) => u.writes)) if (w.op === 'create' && w.labels[KIND_LABEL] === AUDIT_ARCHIVE_KIND && !archives.has(w.name)) archives.set(w.name, w.data.lines ?? '');
    for (const [name, text] of archives) {
      const first = Number(ARCHIVE_NAME.exec(name)?.[1] ?? Number.NaN);
      if (Number.isNaN(first)) continue;
      for (const [i, line] of text.split('\n').slice(0, -1).entries()) bySeq.set(first + i, line);
    }
    for (const [i, line] of head.tail.entries()) bySeq.set(head.tailFrom + i, line);
    const lines = [...bySeq].map(([seq, line]) => ({ seq, line })).sort((a, b) => a.seq - b.seq);
    return { lines, head };
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    return (await this.appendMany([event]))[0]!;
  }

  appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    return events.length ? this.store.appendEvents(events) : Promise.resolve([]);
  }

  async list(limit?: number): Promise<AuditEvent[]> {
    // The newest events are in the head: one small read when they are all that is asked for.
    if (limit !== undefined) {
      const { head } = parseHead(await this.store.objects.read(HEAD_NAME));
      if (limit <= head.tail.length) return head.tail.slice(-limit).map((l) => JSON.parse(l) as AuditEvent);
    }
    const { lines } = await this.lines();
    const events = lines.map((l) => JSON.parse(l.line) as AuditEvent);
    return limit === undefined ? events : events.slice(-limit);
  }

  async head(): Promise<AuditHead> {
    const { head } = await this.lines();
    return { count: head.count, hash: head.hash, size: 0, mac: head.mac };
  }

  async verify(anchors: readonly AuditAnchor[] = []): Promise<AuditVerdict> {
    const { lines, head } = await this.lines();
    const fail = (line: number, problem: string): AuditVerdict => ({ ok: false, line, problem, message: `${this.where}: event ${line} ${problem}.` });
    const hashes: string[] = [];
    let prev = '';
    for (const [index, { seq, line }] of lines.entries()) {
      const number = index + 1;
      if (seq !== number) return fail(number, `is missing (the next event stored is ${seq})`);
      let event: AuditEvent;
      try {
        event = JSON.parse(line) as AuditEvent;
      } catch {
        return fail(number, 'is not valid JSON');
      }
      if (event.prev !== prev) return fail(number, 'does not follow the event before it (edited, removed or reordered)');
      prev = sha256(line);
      hashes.push(prev);
    }
    const count = lines.length;
    if (head.count > count) return fail(count + 1, `is missing: the head object ${HEAD_NAME} counts ${head.count} events`);
    if (count > head.count) return fail(head.count + 1, `was never acknowledged by the head object ${HEAD_NAME}, which counts ${head.count} events (added by hand)`);
    if (head.count > 0 && hashes[head.count - 1] !== head.hash) return fail(head.count, 'was edited (its hash is not the one the head object holds)');
    const key = process.env.ECP_AUDIT_KEY;
    if (key && head.count > 0 && head.mac !== headMac({ count: head.count, hash: head.hash, size: 0 }, key)) {
      return fail(
        head.count,
        `is the end ${HEAD_NAME} claims, but ${head.mac ? 'its HMAC does not match ECP_AUDIT_KEY (the head was rewritten without the key)' : 'the head carries no HMAC (written before ECP_AUDIT_KEY was set, or its HMAC was removed)'}`,
      );
    }
    for (const anchor of anchors) {
      if (anchor.count > head.count) return fail(head.count + 1, `is missing: ${anchor.where} anchors ${anchor.count} events, the trail holds ${head.count}`);
      if (anchor.count > 0 && hashes[anchor.count - 1] !== anchor.hash) return fail(anchor.count, `is not the event ${anchor.where} anchors (the trail was rewritten up to there)`);
    }
    const anchored = anchors.length ? `, ${counted(anchors.length, 'anchor')} ${anchors.length === 1 ? 'matches' : 'match'}` : '';
    return { ok: true, count, anchors: anchors.length, message: `${this.where}: ${count} events, chain intact${anchored}.` };
  }

  /** A unit is committed whole (the head swap), so the team trail has no crash tail to remove. */
  async repair(): Promise<{ repaired: boolean; message: string }> {
    const verdict = await this.verify();
    if (verdict.ok) return { repaired: false, message: `${verdict.message.replace(/\.$/, '')}: nothing to repair.` };
    throw new StoreError(
      `${verdict.message.replace(/\.$/, '')}; the team store commits events with the head in one swap, so this is not a crash tail, and \`ecp audit repair\` removes nothing else: nothing changed.`,
    );
  }
}
