/**
 * The three PATCH formats the API server takes besides apply: JSON merge patch (RFC 7386),
 * strategic merge patch (lists merged by key, with the `$patch`, `$setElementOrder`,
 * `$retainKeys` and `$deleteFromPrimitiveList` directives kubectl sends) and JSON patch (RFC 6902).
 */
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';
import { mergeKey, SET_LISTS } from './schema.js';
import { badRequest } from './status.js';

/** An operation of a JSON patch that does not apply; the API server answers it with a bare 422 (rest.ts). */
export class JsonPatchFailure extends Error {}

const notApplicable = (message: string) => new JsonPatchFailure(message);

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

const ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** Applies a strategic merge patch to a map; undefined means the map itself was deleted. */
export function strategicMerge(original: JsonObject | undefined, patch: JsonObject): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return withoutDirectives(patch);
  const out: JsonObject = original ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(ORDER) || key.startsWith(DELETE_FROM)) continue;
    if (value === null) {
      delete out[key];
    } else if (isObject(value)) {
      const merged = strategicMerge(isObject(out[key]) ? out[key] : undefined, value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(key, Array.isArray(out[key]) ? out[key] : [], value);
    } else {
      out[key] = value;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM) && Array.isArray(value) && Array.isArray(out[key.slice(DELETE_FROM.length)])) {
      const field = key.slice(DELETE_FROM.length);
      out[field] = (out[field] as Json[]).filter((item) => !value.some((v) => deepEqual(v, item)));
    }
    if (key.startsWith(ORDER) && Array.isArray(value) && Array.isArray(out[key.slice(ORDER.length)])) {
      const field = key.slice(ORDER.length);
      out[field] = reorder(field, out[field] as Json[], value);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}

function mergeList(field: string, original: Json[], patch: Json[]): Json[] {
  if (SET_LISTS.has(field)) return [...original, ...patch.filter((p) => !original.some((o) => deepEqual(o, p)))];
  const key = mergeKey(field, [...original, ...patch]);
  if (!key || !patch.every(isObject)) return patch.map(clone);
  const items = patch as JsonObject[];
  if (items.some((item) => item.$patch === 'replace')) {
    return items.filter((item) => item.$patch !== 'replace').map(withoutDirectives);
  }
  const out = [...original];
  for (const item of items) {
    const index = out.findIndex((o) => isObject(o) && deepEqual(o[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? out[index] : undefined;
    const merged = strategicMerge(isObject(existing) ? existing : undefined, item);
    if (merged === undefined) {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = merged;
    else out.push(merged);
  }
  return out;
}

/** `$setElementOrder`: listed items first in the given order, the others after, as they were. */
function reorder(field: string, list: Json[], order: Json[]): Json[] {
  const key = mergeKey(field, list);
  const keyOf = (item: Json) => (key && isObject(item) ? item[key] : item);
  const rank = (item: Json) => {
    const i = order.findIndex((o) => deepEqual(keyOf(o), keyOf(item)));
    return i < 0 ? order.length : i;
  };
  return list
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.item);
}

function withoutDirectives(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(ORDER) || key.startsWith(DELETE_FROM)) continue;
    out[key] = isObject(value) ? withoutDirectives(value) : clone(value);
  }
  return out;
}

/** RFC 6902. An operation that does not apply throws a JsonPatchFailure naming it. */
export function jsonPatch(document: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(document);
  for (const op of operations) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw notApplicable('Unexpected kind: invalid operation');
    }
    const path = op.path;
    switch (op.op) {
      case 'add':
        doc = put(doc, path, required(op, 'value'), 'add', true);
        break;
      case 'remove':
        doc = removeAt(doc, path, 'remove').doc;
        break;
      case 'replace':
        // As the API server's json-patch (v4) does: a missing key of an object is set, a missing index is an error.
        doc = put(doc, path, required(op, 'value'), 'replace', false);
        break;
      case 'test':
        if (!deepEqual(get(doc, path, 'test'), required(op, 'value'))) {
          throw notApplicable(`test: value at ${path} does not match`);
        }
        break;
      case 'move': {
        const from = fromPath(op);
        const taken = removeAt(doc, from, 'move');
        doc = put(taken.doc, path, taken.value, 'move', true);
        break;
      }
      case 'copy':
        doc = put(doc, path, clone(get(doc, fromPath(op), 'copy')), 'copy', true);
        break;
      default:
        throw notApplicable(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function required(op: JsonObject, field: string): Json {
  const value = op[field];
  if (value === undefined) throw notApplicable(`${String(op.op)}: missing value for path ${String(op.path)}`);
  return clone(value);
}

function fromPath(op: JsonObject): string {
  if (typeof op.from !== 'string') throw notApplicable(`${String(op.op)}: missing from for path ${String(op.path)}`);
  return op.from;
}

function tokens(path: string, op: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw notApplicable(`${op}: invalid path ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, path: string, op: string): Json {
  let current: Json = doc;
  for (const token of tokens(path, op)) {
    const next = child(current, token);
    if (next === undefined) throw notApplicable(`${op}: missing path ${path}`);
    current = next;
  }
  return current;
}

function child(value: Json, token: string): Json | undefined {
  if (Array.isArray(value)) return /^\d+$/.test(token) ? value[Number(token)] : undefined;
  if (isObject(value)) return Object.hasOwn(value, token) ? value[token] : undefined;
  return undefined;
}

/** Sets `value` at `path` in the parent container; `insert` adds to arrays (add) instead of replacing. */
function put(doc: Json, path: string, value: Json, op: string, insert: boolean): Json {
  const parts = tokens(path, op);
  if (parts.length === 0) return value;
  const last = parts.pop()!;
  const parent = get(doc, pointer(parts), op);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    const limit = insert ? parent.length : parent.length - 1;
    if (!/^\d+$|^-$/.test(last) || index > limit) throw notApplicable(`${op}: index out of range at ${path}`);
    if (insert) parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw notApplicable(`${op}: missing path ${path}`);
  }
  return doc;
}

function removeAt(doc: Json, path: string, op: string): { doc: Json; value: Json } {
  const value = get(doc, path, op);
  const parts = tokens(path, op);
  if (parts.length === 0) throw notApplicable(`${op}: cannot remove the whole document`);
  const last = parts.pop()!;
  const parent = get(doc, pointer(parts), op);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return { doc, value };
}

function pointer(parts: string[]): string {
  return parts.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
