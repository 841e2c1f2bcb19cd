/**
 * The audit trail: `<dataDir>/audit.jsonl`, append-only JSON lines. Each event carries the sha256
 * of the line before it, and `audit.head` records the count and the hash of the last line, so an
 * edited, removed (also the last), or reordered line is found by `verify`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEvent } from '../domain/types.js';
import { appendLines, readLastLine, readLines } from './jsonl.js';
import { withLock } from './lock.js';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Head {
  count: number;
  hash: string;
}

export type NewAuditEvent = Omit<AuditEvent, 'prev' | 'at'> & { at?: string };

export type AuditVerdict = { ok: true; count: number } | { ok: false; line: number; problem: string };

/** Keys whose values never reach the trail (DESIGN: nothing secret is written). */
const SECRET_KEY = /pass(word)?|secret|token|auth|credential/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

export class AuditLog {
  readonly file: string;
  private readonly headFile: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'audit.jsonl');
    this.headFile = path.join(dataDir, 'audit.head');
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    return (await this.appendMany([event]))[0]!;
  }

  /** Appends several events under one lock and one write, chained in order. */
  async appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    if (events.length === 0) return [];
    await mkdir(path.dirname(this.file), { recursive: true });
    return withLock(this.file, async () => {
      const last = await readLastLine(this.file);
      const head = await this.readHead();
      let prev = last === undefined ? '' : sha256(last);
      const written: AuditEvent[] = [];
      const lines: string[] = [];
      for (const event of events) {
        const full: AuditEvent = {
          at: event.at ?? new Date().toISOString(),
          actor: event.actor,
          action: event.action,
          target: event.target,
          details: redact(event.details) as Record<string, unknown>,
          prev,
        };
        const line = JSON.stringify(full);
        prev = sha256(line);
        lines.push(line);
        written.push(full);
      }
      await appendLines(this.file, lines);
      await this.writeHead({ count: (head?.count ?? 0) + lines.length, hash: prev });
      return written;
    });
  }

  async list(limit?: number): Promise<AuditEvent[]> {
    const lines = await readLines(this.file);
    const events = lines.map((l) => JSON.parse(l) as AuditEvent);
    return limit === undefined ? events : events.slice(-limit);
  }

  async verify(): Promise<AuditVerdict> {
    const lines = await readLines(this.file);
    let prev = '';
    for (const [index, line] of lines.entries()) {
      let event: AuditEvent;
      try {
        event = JSON.parse(line) as AuditEvent;
      } catch {
        return { ok: false, line: index + 1, problem: 'is not valid JSON' };
      }
      if (event.prev !== prev) {
        return { ok: false, line: index + 1, problem: "does not follow the line before it (edited, removed or reordered)" };
      }
      prev = sha256(line);
    }
    const head = await this.readHead();
    if (head && head.count > lines.length) {
      return { ok: false, line: lines.length + 1, problem: `is missing: the trail should hold ${head.count} events` };
    }
    if (head && head.count < lines.length) {
      return { ok: false, line: head.count + 1, problem: 'was not written by ecp (the trail should end before it)' };
    }
    if (head && head.hash !== prev) {
      return { ok: false, line: lines.length, problem: 'was edited' };
    }
    return { ok: true, count: lines.length };
  }

  private async readHead(): Promise<Head | undefined> {
    try {
      return JSON.parse(await readFile(this.headFile, 'utf8')) as Head;
    } catch {
      return undefined;
    }
  }

  private async writeHead(head: Head): Promise<void> {
    const temp = `${this.headFile}.tmp`;
    await writeFile(temp, JSON.stringify(head));
    await rename(temp, this.headFile);
  }
}
