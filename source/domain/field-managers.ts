/**
 * Server-side apply's field ownership (managedFields, fieldsV1): the paths where two objects
 * differ, written as fieldsV1 writes them, and which field managers own each (who ran
 * `kubectl set image`). Pure: objects in, paths and names out.
 */

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string | Date;
  fieldsV1?: unknown;
}

export interface FieldDifference {
  /** For people: spec.template.spec.containers[callbot].image */
  path: string;
  /** As fieldsV1 keys it: f:spec, f:template, …, k:{"name":"callbot"}, f:image */
  keys: string[];
  live: unknown;
  wanted: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const namedItems = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.name === 'string');

/**
 * Where `wanted` differs from `live`: maps field by field, lists of named items (containers, env)
 * item by item, other lists and values whole.
 */
export function fieldDifferences(live: unknown, wanted: unknown, keys: string[] = [], path = ''): FieldDifference[] {
  if (isObject(live) && isObject(wanted)) {
    const names = [...new Set([...Object.keys(live), ...Object.keys(wanted)])];
    return names.flatMap((name) => fieldDifferences(live[name], wanted[name], [...keys, `f:${name}`], path ? `${path}.${name}` : name));
  }
  if (namedItems(live) && namedItems(wanted)) {
    const byName = (items: Record<string, unknown>[]) => new Map(items.map((x) => [x.name as string, x]));
    const [l, w] = [byName(live), byName(wanted)];
    return [...new Set([...l.keys(), ...w.keys()])].flatMap((name) => fieldDifferences(l.get(name), w.get(name), [...keys, `k:${JSON.stringify({ name })}`], `${path}[${name}]`));
  }
  return JSON.stringify(live) === JSON.stringify(wanted) ? [] : [{ path, keys, live, wanted }];
}

/** Whether a fieldsV1 set holds `keys` (or a field above it, owned whole). */
function owns(fields: unknown, keys: readonly string[]): boolean {
  let at: unknown = fields;
  for (const key of keys) {
    if (!isObject(at)) return false;
    if (Object.keys(at).length === 0) return true;
    at = at[key];
  }
  return at !== undefined;
}

/** The managers owning the field at `keys`: "kubectl-set (Update)". */
export function managersOf(entries: readonly ManagedFieldsEntry[] | undefined, keys: readonly string[]): string[] {
  return (entries ?? []).filter((e) => owns(e.fieldsV1, keys)).map((e) => `${e.manager ?? '?'}${e.operation ? ` (${e.operation})` : ''}`);
}
