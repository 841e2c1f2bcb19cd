/**
 * metadata.managedFields bookkeeping and server-side apply. Each write records which manager
 * (fieldManager, operation Update or Apply, subresource) last set which fields; an apply that
 * would change a field another manager owns fails with 409 FieldManagerConflict unless forced;
 * fields an applier stops sending are removed when nobody else owns them.
 */
import { asArray, asObject, asString, clone, deepEqual, type Json, type JsonObject, type KubeObject } from './json.js';
import { decodeFields, diffLeaves, encodeFields, leavesOf, removePath, type Scope, type Segment } from './fieldset.js';
import { strategicMerge } from './patch.js';
import { ApiError } from './status.js';

interface Manager {
  /** The entry as read, reused on write unless `dirty`. */
  raw?: JsonObject;
  dirty?: boolean;
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: Map<string, Segment[]>;
}

export interface Writer {
  manager: string;
  apiVersion: string;
  /** Clock time, already formatted. */
  time: string;
  scope: Scope;
}

function readManagers(obj: KubeObject | undefined): Manager[] {
  return asArray(obj?.metadata.managedFields).flatMap((raw) => {
    const entry = asObject(raw);
    const manager = asString(entry?.manager);
    if (!entry || manager === undefined) return [];
    const subresource = asString(entry.subresource);
    return [
      {
        raw: entry,
        manager,
        operation: entry.operation === 'Apply' ? ('Apply' as const) : ('Update' as const),
        apiVersion: asString(entry.apiVersion) ?? '',
        time: asString(entry.time) ?? '',
        ...(subresource ? { subresource } : {}),
        // Decoded on every write, not cached per entry: a cache of decoded field sets was half the
        // sandbox's heap with 1 000 Deployments (72 → 32 MB), for ~15 % faster seeding.
        fields: decodeFields(entry.fieldsV1),
      },
    ];
  });
}

function writeManagers(obj: KubeObject, managers: Manager[]): void {
  const entries: Json[] = managers
    .filter((m) => m.fields.size > 0)
    .map((m) => {
      if (m.raw && !m.dirty) return m.raw;
      const entry: JsonObject = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time };
      entry.fieldsType = 'FieldsV1';
      entry.fieldsV1 = encodeFields(m.fields.values());
      if (m.subresource) entry.subresource = m.subresource;
      return entry;
    });
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function identity(m: Pick<Manager, 'manager' | 'operation' | 'subresource'>): string {
  return `${m.manager}\u0000${m.operation}\u0000${m.subresource ?? ''}`;
}

function entryFor(managers: Manager[], writer: Writer, operation: Manager['operation']): Manager {
  const subresource = writer.scope === 'status' ? 'status' : undefined;
  const id = identity({ manager: writer.manager, operation, subresource });
  let entry = managers.find((m) => identity(m) === id);
  if (!entry) {
    entry = { manager: writer.manager, operation, apiVersion: writer.apiVersion, time: writer.time, fields: new Map() };
    if (subresource) entry.subresource = subresource;
    managers.push(entry);
  }
  return entry;
}

function sameKeys(a: Map<string, unknown>, b: Set<string>): boolean {
  return a.size === b.size && [...b].every((k) => a.has(k));
}

/**
 * Records an Update (create, replace, patch) on `next` in place: the writer takes every field it
 * changed or added; fields that no longer exist leave every manager. Entries whose fields did not
 * change keep their time, so an unchanged write stays byte-identical.
 */
export function recordUpdate(previous: KubeObject | undefined, next: KubeObject, writer: Writer): void {
  const managers = readManagers(previous);
  const { changed, gone } = diffLeaves(previous, next, writer.scope);
  for (const m of managers) {
    if ((m.subresource === 'status') !== (writer.scope === 'status')) continue;
    for (const p of [...changed.keys(), ...gone]) if (m.fields.delete(p)) m.dirty = true;
  }
  if (changed.size > 0) {
    const entry = entryFor(managers, writer, 'Update');
    for (const [p, leaf] of changed) entry.fields.set(p, leaf.segments);
    entry.time = writer.time;
    entry.dirty = true;
  }
  writeManagers(next, managers);
}

function describe(m: Manager): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${text} using ${m.apiVersion}` : text;
}

function conflictError(conflicts: { manager: Manager; path: string }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describe(c.manager)}`, field: c.path }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0]!.manager)}: ${conflicts[0]!.path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(describe(c.manager), [...(byManager.get(describe(c.manager)) ?? []), c.path]);
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/**
 * Server-side apply of `config` by `writer` onto `live` (undefined: create). Returns the merged
 * object with managedFields updated; throws 409 on conflicts unless `force`.
 */
export function serverSideApply(live: KubeObject | undefined, config: KubeObject, writer: Writer, force: boolean): KubeObject {
  const managers = readManagers(live);
  const mine = entryFor(managers, writer, 'Apply');
  const applied = leavesOf(config, writer.scope);
  const current = live ? leavesOf(live, writer.scope) : new Map();
  const conflicts: { manager: Manager; path: string }[] = [];
  for (const [path, leaf] of applied) {
    const existing = current.get(path);
    if (!existing || deepEqual(existing.value, leaf.value)) continue;
    for (const m of managers) if (m !== mine && m.fields.has(path)) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const { manager, path } of conflicts) {
    manager.fields.delete(path);
    manager.dirty = true;
  }

  const patch: JsonObject = { ...config };
  delete patch[writer.scope === 'status' ? 'spec' : 'status'];
  const merged = strategicMerge(live ? clone(live) : { metadata: {} }, patch) as KubeObject;
  for (const [path, segments] of mine.fields) {
    if (applied.has(path) || managers.some((m) => m !== mine && m.fields.has(path))) continue;
    removePath(merged, segments);
  }
  const newFields = new Map([...applied].map(([p, leaf]) => [p, leaf.segments]));
  if (!sameKeys(mine.fields, new Set(newFields.keys())) || conflicts.length > 0) {
    mine.time = writer.time;
    mine.dirty = true;
  }
  mine.fields = newFields;
  writeManagers(merged, managers);
  return merged;
}
