/**
 * The JSON store (DESIGN §5): `<dataDir>/store.json`. Every update takes the data dir's lock,
 * re-reads the file, applies the change, moves records beyond the retention bound to the
 * append-only archive, and commits the new file together with the audit events the change queued
 * (journal.ts: temp file + journal + rename, so a crash leaves both or neither). A file that does
 * not parse, or is not a store of a known schema, is reported and never overwritten.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DeploymentRecord, ImageVersion } from '../domain/types.js';
import { fsProblem, StoreError, UsageError } from '../errors.js';
import { confirmHolds } from '../held-services.js';
import { AuditLog, chainLines, describeEvents, type NewAuditEvent } from './audit.js';
import { Journal } from './journal.js';
import type { ServiceHolder, StoreBackend, StoreHistory, UpdateUnit } from './backend.js';
import { appendLines, readLines } from './jsonl.js';
import { withServiceLock } from './service-lock.js';
import { describeJsonError } from './json-position.js';
import { groupBy, newestFirst, takeRetained } from './retention.js';
import { COLLECTIONS, emptyStore, migrate, type StoreData } from './schema.js';

export const STORE_FILE = 'store.json';

export type { UpdateUnit } from './backend.js';

/** File-name-safe form of a name that is already a DNS-1123 label in practice. */
const safeName = (name: string) => name.replace(/[^a-z0-9-]/gi, '_');

// C0 controls, DEL and C1 controls: an ESC sequence or a line break printed from a stored field
// could forge output. Free-text fields may hold line breaks and tabs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const FREE_TEXT = new Set(['message', 'reason']);

/** The first control character in `value` (a field, or an object of fields): its field path and code point. */
function controlCharacterIn(value: unknown, key: string, field: string): { field: string; code: string } | undefined {
  if (typeof value === 'string') {
    const match = (FREE_TEXT.has(key) ? CONTROL_IN_TEXT : CONTROL).exec(value);
    return match ? { field, code: match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') } : undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = controlCharacterIn(v, FREE_TEXT.has(key) ? key : k, field ? `${field}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

const RECORD_NAMES = { versions: 'version', deployments: 'deployment record', approvals: 'approval' } as const;

type Changed = (key: (typeof COLLECTIONS)[number], record: { id: string }) => boolean;

/** What changed against `before` (the store's text as read): a record equal to none of its records. */
export function changedSince(before: string | undefined): Changed {
  const unchanged = new Set<string>();
  if (before !== undefined) {
    const old = JSON.parse(before) as Partial<StoreData>;
    for (const key of COLLECTIONS) for (const r of old[key] ?? []) unchanged.add(JSON.stringify(r));
  }
  return (_key, record) => !unchanged.has(JSON.stringify(record));
}

/** Refuses a record `changed` names, or a queued event, whose fields hold control characters. */
export function refuseControlCharacters(changed: Changed, data: StoreData, events: readonly NewAuditEvent[]): void {
  const refuse = (what: string, found: { field: string; code: string }) =>
    new UsageError(`${what}: field ${found.field} holds a control character (U+${found.code}); ecp stores no control characters; nothing changed.`);
  for (const key of COLLECTIONS) {
    for (const record of data[key]) {
      if (!changed(key, record)) continue;
      const found = controlCharacterIn(record, '', '');
      if (found) throw refuse(`${RECORD_NAMES[key]} ${JSON.stringify(record.id).slice(0, 80)}`, found);
    }
  }
  for (const event of events) {
    const found = controlCharacterIn({ actor: event.actor, action: event.action, target: event.target }, '', '');
    if (found) throw refuse('audit event', found);
  }
}

export class Store implements StoreBackend {
  readonly file: string;
  readonly archiveDir: string;
  readonly journal: Journal;
  /** The audit trail of this data dir; its events are written in the same units as the store. */
  readonly audit: AuditLog;

  constructor(
    readonly dataDir: string,
    readonly keepPerService = 50,
    options: { notify?: (sentence: string) => void; lockWaitMs?: number } = {},
  ) {
    this.journal = new Journal(dataDir, options.notify, options.lockWaitMs);
    this.audit = new AuditLog(this.journal);
    this.file = path.join(dataDir, STORE_FILE);
    this.archiveDir = path.join(dataDir, 'archive');
  }

  get where(): string {
    return this.dataDir;
  }

  holdService<T>(tenant: string, service: string, holder: ServiceHolder, work: () => Promise<T>): Promise<T> {
    return withServiceLock(this.dataDir, tenant, service, holder, work);
  }

  /** The store's text, or undefined when there is none yet. */
  private readText(): string | undefined {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError(`The store ${this.file} cannot be read: ${fsProblem(error, this.file)}; nothing changed.`);
    }
  }

  private parse(text: string | undefined): StoreData {
    if (text === undefined) return emptyStore();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new StoreError(`The store ${this.file} does not parse (${describeJsonError(text, error)}); it was left unchanged.`);
    }
    const data = migrate(raw);
    if (typeof data === 'string') throw new StoreError(`The store ${this.file} cannot be used: ${data}; it was left unchanged.`);
    return data;
  }

  /**
   * A consistent snapshot of the hot store, without taking the lock (writes are atomic renames);
   * a write left half-done by a crash is completed or undone first.
   */
  async read(): Promise<StoreData> {
    if (this.journal.pending()) await this.journal.locked('the recovery of a half-done write', async () => undefined);
    return this.parse(this.readText());
  }

  /**
   * Runs `mutate` on a fresh copy under the lock and writes the result together with the audit
   * events it queued on `unit`, as one unit. If `mutate` throws, nothing is written.
   */
  async update<T>(mutate: (data: StoreData, unit: UpdateUnit) => T | Promise<T>): Promise<T> {
    return this.journal.locked(`the write of ${this.file}`, async (lock) => {
      const before = this.readText();
      const data = this.parse(before);
      const events: NewAuditEvent[] = [];
      const result = await mutate(data, { audit: (event) => void events.push(event) });
      await this.applyRetention(data);
      refuseControlCharacters(changedSince(before), data, events);
      const after = `${JSON.stringify(data, null, 1)}\n`;
      if (after === before && events.length === 0) return result;
      await confirmHolds(`the store write ${events.length ? describeEvents(events) : `of ${this.file}`}`);
      this.journal.commit(lock, {
        store: after === before ? undefined : { before, after },
        auditLines: events.length ? (prev) => chainLines(events, prev) : undefined,
        summary: events.length ? describeEvents(events) : `a change of ${this.file}`,
      });
      return result;
    });
  }

  async history(): Promise<StoreHistory> {
    const data = await this.read();
    const archived = async <T>(folder: string): Promise<T[]> => {
      const files = await readdir(path.join(this.archiveDir, folder)).catch(() => [] as string[]);
      const lines = await Promise.all(files.filter((f) => f.endsWith('.jsonl')).map((f) => readLines(path.join(this.archiveDir, folder, f))));
      return lines.flat().map((l) => JSON.parse(l) as T);
    };
    const dedupe = <T extends { id: string }>(records: T[]) => [...new Map(records.map((r) => [r.id, r])).values()];
    return {
      versions: dedupe([...(await archived<ImageVersion>('versions')), ...data.versions]),
      deployments: dedupe([...(await archived<DeploymentRecord>('deployments')), ...data.deployments]),
      approvals: data.approvals,
      auditLines: await this.audit.lines(),
    };
  }

  async importHistory(part: StoreHistory): Promise<void> {
    await this.journal.locked(`the import into ${this.file}`, async (lock) => {
      const before = this.readText();
      const data = this.parse(before);
      data.versions.push(...part.versions);
      data.deployments.push(...part.deployments);
      data.approvals.push(...part.approvals);
      await this.applyRetention(data);
      const after = `${JSON.stringify(data, null, 1)}\n`;
      const lines = part.auditLines;
      this.journal.commit(lock, {
        store: after === before ? undefined : { before, after },
        auditLines: lines.length
          ? (prev) => {
              if ((JSON.parse(lines[0]!) as { prev?: string }).prev !== prev) throw new StoreError(`The audit events to import do not continue the trail of ${this.audit.file}; nothing changed.`);
              return lines;
            }
          : undefined,
        summary: `the import of ${part.versions.length} versions and ${lines.length} audit events`,
      });
    });
  }

  /** Moves versions and deployment records beyond the retention bound to the append-only archive. */
  private async applyRetention(data: StoreData): Promise<void> {
    const plan = takeRetained(data, this.keepPerService);
    for (const [service, old] of plan.versions) {
      await appendLines(
        this.versionArchive(service),
        old.map((v) => JSON.stringify(v)),
      );
      for (const [bucket, list] of groupBy(old, (v) => this.imageBucket(v.fullImageName))) {
        await appendLines(
          bucket,
          list.map((v) => v.fullImageName),
        );
      }
    }
    for (const [tenant, old] of plan.deployments) {
      await appendLines(
        this.deploymentArchive(tenant),
        old.map((d) => JSON.stringify(d)),
      );
    }
  }

  private versionArchive(service: string): string {
    return path.join(this.archiveDir, 'versions', `${safeName(service)}.jsonl`);
  }

  private deploymentArchive(tenant: string): string {
    return path.join(this.archiveDir, 'deployments', `${safeName(tenant)}.jsonl`);
  }

  /** Archived image names are indexed in 256 small buckets, so a duplicate check stays cheap. */
  private imageBucket(fullImageName: string): string {
    const hash = createHash('sha1').update(fullImageName).digest('hex').slice(0, 2);
    return path.join(this.archiveDir, 'images', `${hash}.txt`);
  }

  async isImageArchived(fullImageName: string): Promise<boolean> {
    return (await readLines(this.imageBucket(fullImageName))).includes(fullImageName);
  }

  /** Archived versions of one service, newest first; a record also still hot is left out. */
  async archivedVersions(service: string, hot: readonly ImageVersion[] = []): Promise<ImageVersion[]> {
    const hotIds = new Set(hot.map((v) => v.id));
    const lines = await readLines(this.versionArchive(service));
    const seen = new Set<string>();
    const records: ImageVersion[] = [];
    for (const line of lines) {
      const v = JSON.parse(line) as ImageVersion;
      if (hotIds.has(v.id) || seen.has(v.id)) continue;
      seen.add(v.id);
      records.push(v);
    }
    return newestFirst(records, (v) => v.createdAt);
  }

  async archivedDeployments(tenant: string, hot: readonly DeploymentRecord[] = []): Promise<DeploymentRecord[]> {
    const hotIds = new Set(hot.map((d) => d.id));
    const lines = await readLines(this.deploymentArchive(tenant));
    const records = lines.map((l) => JSON.parse(l) as DeploymentRecord).filter((d) => !hotIds.has(d.id));
    return newestFirst(records, (d) => d.startedAt);
  }

  /** A version by id, hot or archived. */
  async findVersion(id: string): Promise<{ version: ImageVersion; archived: boolean } | undefined> {
    const hot = (await this.read()).versions.find((v) => v.id === id);
    if (hot) return { version: hot, archived: false };
    let files: string[];
    try {
      files = await readdir(path.join(this.archiveDir, 'versions'));
    } catch {
      return undefined;
    }
    for (const file of files) {
      const service = file.replace(/\.jsonl$/, '');
      if (!id.startsWith(`${service}-`)) continue;
      const found = (await this.archivedVersions(service)).find((v) => v.id === id);
      if (found) return { version: found, archived: true };
    }
    return undefined;
  }

  /** Hot and archived versions of a service, newest first. */
  async allVersions(service: string): Promise<ImageVersion[]> {
    const data = await this.read();
    const hot = data.versions.filter((v) => v.serviceName === service);
    return newestFirst([...hot, ...(await this.archivedVersions(service, hot))], (v) => v.createdAt);
  }
}
