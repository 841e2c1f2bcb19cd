/**
 * The JSON store (DESIGN §5): lowdb over `<dataDir>/store.json`. Every update takes the
 * cross-process lock, re-reads the file, applies the change, moves records beyond the retention
 * bound to the append-only archive, and writes atomically (temp file + rename). A file that does
 * not parse is reported with its line and column and never overwritten.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { DeploymentRecord, ImageVersion } from '../domain/types.js';
import { StoreError } from '../errors.js';
import { appendLines, readLines } from './jsonl.js';
import { describeJsonError } from './json-position.js';
import { withLock } from './lock.js';
import { emptyStore, migrate, type StoreData } from './schema.js';

export const STORE_FILE = 'store.json';

function newestFirst<T>(items: readonly T[], at: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => at(b.item).localeCompare(at(a.item)) || b.index - a.index)
    .map((e) => e.item);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** File-name-safe form of a name that is already a DNS-1123 label in practice. */
const safeName = (name: string) => name.replace(/[^a-z0-9-]/gi, '_');

export class Store {
  readonly file: string;
  readonly archiveDir: string;

  constructor(
    readonly dataDir: string,
    readonly keepPerService = 50,
  ) {
    this.file = path.join(dataDir, STORE_FILE);
    this.archiveDir = path.join(dataDir, 'archive');
  }

  private db(): Low<StoreData> {
    const file = this.file;
    const adapter = new DataFile<StoreData>(file, {
      parse: (text) => {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (error) {
          throw new StoreError(`The store ${file} does not parse (${describeJsonError(text, error)}); it was left unchanged.`);
        }
        const data = migrate(raw);
        if (typeof data === 'string') throw new StoreError(`The store ${file} cannot be used: ${data}; it was left unchanged.`);
        return data;
      },
      stringify: (data) => `${JSON.stringify(data, null, 1)}\n`,
    });
    return new Low(adapter, emptyStore());
  }

  /** A consistent snapshot of the hot store, without taking the lock (writes are atomic renames). */
  async read(): Promise<StoreData> {
    const db = this.db();
    await db.read();
    return db.data;
  }

  /**
   * Runs `mutate` on a fresh copy under the lock and writes the result. If `mutate` throws,
   * nothing is written.
   */
  async update<T>(mutate: (data: StoreData) => T | Promise<T>): Promise<T> {
    mkdirSync(this.dataDir, { recursive: true });
    return withLock(this.file, async () => {
      const db = this.db();
      await db.read();
      const result = await mutate(db.data);
      await this.applyRetention(db.data);
      await db.write();
      return result;
    });
  }

  /** Keeps the newest `keepPerService` versions per service and deployments per tenant/service. */
  private async applyRetention(data: StoreData): Promise<void> {
    const keep = this.keepPerService;
    const archivedVersions = new Set<ImageVersion>();
    for (const [service, versions] of groupBy(data.versions, (v) => v.serviceName)) {
      if (versions.length <= keep) continue;
      const old = newestFirst(versions, (v) => v.createdAt).slice(keep);
      await appendLines(this.versionArchive(service), old.map((v) => JSON.stringify(v)));
      for (const [bucket, list] of groupBy(old, (v) => this.imageBucket(v.fullImageName))) {
        await appendLines(bucket, list.map((v) => v.fullImageName));
      }
      for (const v of old) archivedVersions.add(v);
    }
    if (archivedVersions.size) data.versions = data.versions.filter((v) => !archivedVersions.has(v));

    const archivedDeployments = new Set<DeploymentRecord>();
    for (const [, records] of groupBy(data.deployments, (d) => `${d.tenantId}/${d.serviceName}`)) {
      if (records.length <= keep) continue;
      // Records still in flight stay hot whatever their age.
      const old = newestFirst(records, (d) => d.startedAt)
        .slice(keep)
        .filter((d) => d.status === 'succeeded' || d.status === 'failed');
      if (old.length === 0) continue;
      await appendLines(this.deploymentArchive(old[0]!.tenantId), old.map((d) => JSON.stringify(d)));
      for (const d of old) archivedDeployments.add(d);
    }
    if (archivedDeployments.size) data.deployments = data.deployments.filter((d) => !archivedDeployments.has(d));
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

export function openStore(config: { dataDir: string; keepPerService: number }): Store {
  return new Store(config.dataDir, config.keepPerService);
}
