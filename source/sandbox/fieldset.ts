/**
 * Field paths as server-side apply sees them: every leaf of an object, with keyed lists addressed
 * by key (`.spec.template.spec.containers[name="callbot"].image`, the form kubectl prints in a
 * conflict), and their `fieldsV1` encoding in metadata.managedFields (`f:spec` / `k:{"name":…}`).
 */
import { asArray, deepEqual, isObject, type Json, type JsonObject } from './json.js';
import { mergeKey, SET_LISTS } from './schema.js';

export type Segment = { field: string } | { key: string; value: Json } | { member: Json };

/** A leaf and its path; the segments are built only when asked for (most writes need only the text). */
export class Leaf {
  constructor(
    readonly text: string,
    readonly value: Json,
    private readonly segment: Segment,
    private readonly parent: PathNode | undefined,
  ) {}

  get segments(): Segment[] {
    const out = [this.segment];
    for (let node = this.parent; node; node = node.parent) out.push(node.segment);
    return out.reverse();
  }
}

interface PathNode {
  segment: Segment;
  parent?: PathNode;
  text: string;
}

/** Which part of an object a write may touch: the object (all but status) or its status. */
export type Scope = 'main' | 'status';

/** Fields the server owns, never tracked (SMD strips them before computing field sets). */
const UNTRACKED_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp']);

function pathText(segments: readonly Segment[]): string {
  return segments.map(segmentText).join('');
}

interface Section {
  value: Json;
  segment: { field: string };
  parent?: PathNode;
}

/**
 * The independent parts of an object in a scope: top-level fields (metadata and status split
 * one level further). A write usually touches few of them, and unchanged ones need no walk.
 */
function sectionsOf(obj: JsonObject | undefined, scope: Scope): Map<string, Section> {
  const out = new Map<string, Section>();
  if (!obj) return out;
  const nested = (key: string) => {
    const value = obj[key];
    if (!isObject(value)) return;
    const parent: PathNode = { segment: { field: key }, text: `.${key}` };
    for (const sub in value) if (key !== 'metadata' || !UNTRACKED_META.has(sub)) out.set(`${key}.${sub}`, { value: value[sub]!, segment: { field: sub }, parent });
  };
  if (scope === 'status') {
    nested('status');
    return out;
  }
  for (const key in obj) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata') nested(key);
    else out.set(key, { value: obj[key]!, segment: { field: key } });
  }
  return out;
}

function walkSection(section: Section, out: Map<string, Leaf>): void {
  walk(section.value, section.segment, section.parent, section.segment.field, out);
}

/** Every tracked leaf of an object in a scope, by path text. */
export function leavesOf(obj: JsonObject, scope: Scope): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  for (const section of sectionsOf(obj, scope).values()) walkSection(section, out);
  return out;
}

/** What a write changed: leaves added or given a new value, and paths that disappeared. */
export function diffLeaves(previous: JsonObject | undefined, next: JsonObject, scope: Scope): { changed: Map<string, Leaf>; gone: string[] } {
  const before = sectionsOf(previous, scope);
  const after = sectionsOf(next, scope);
  const changed = new Map<string, Leaf>();
  const gone: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (a && b && deepEqual(a.value, b.value)) continue;
    const old = new Map<string, Leaf>();
    const now = new Map<string, Leaf>();
    if (a) walkSection(a, old);
    if (b) walkSection(b, now);
    for (const [path, leaf] of now) {
      const was = old.get(path);
      if (!was || !deepEqual(was.value, leaf.value)) changed.set(path, leaf);
    }
    for (const path of old.keys()) if (!now.has(path)) gone.push(path);
  }
  return { changed, gone };
}

function segmentText(s: Segment): string {
  if ('field' in s) return `.${s.field}`;
  if ('key' in s) return `[${s.key}=${JSON.stringify(s.value)}]`;
  return `[=${JSON.stringify(s.member)}]`;
}

function walk(value: Json, segment: Segment, parent: PathNode | undefined, field: string, out: Map<string, Leaf>): void {
  // A template's null creationTimestamp is Go's encoding of an empty time, not a field anyone set.
  if (field === 'creationTimestamp' && value === null) return;
  const text = (parent?.text ?? '') + segmentText(segment);
  if (isObject(value)) {
    let node: PathNode | undefined;
    for (const k in value) {
      node ??= { segment, parent, text };
      walk(value[k]!, { field: k }, node, k, out);
    }
    if (node) return;
  } else if (Array.isArray(value) && value.length > 0) {
    if (SET_LISTS.has(field) && value.every((v) => typeof v === 'string')) {
      const node: PathNode = { segment, parent, text };
      for (const member of value) {
        const s: Segment = { member };
        const leafText = text + segmentText(s);
        out.set(leafText, new Leaf(leafText, member, s, node));
      }
      return;
    }
    const key = mergeKey(field, value);
    if (key && value.every((item) => isObject(item) && item[key] !== undefined)) {
      const node: PathNode = { segment, parent, text };
      for (const item of value as JsonObject[]) walk(item, { key, value: item[key]! }, node, '', out);
      return;
    }
  }
  out.set(text, new Leaf(text, value, segment, parent));
}

function segmentName(s: Segment): string {
  if ('field' in s) return `f:${s.field}`;
  if ('key' in s) return `k:{${JSON.stringify(s.key)}:${JSON.stringify(s.value)}}`;
  return `v:${JSON.stringify(s.member)}`;
}

/** The `fieldsV1` tree of a set of paths; list items that have children also get `.`. */
export function encodeFields(paths: Iterable<readonly Segment[]>): JsonObject {
  const root: JsonObject = {};
  for (const segments of paths) {
    let node = root;
    const last = segments.length - 1;
    for (let i = 0; i <= last; i++) {
      const s = segments[i]!;
      const name = segmentName(s);
      let next = node[name] as JsonObject | undefined;
      if (next === undefined) {
        next = {};
        node[name] = next;
      }
      if (i < last && 'key' in s) next['.'] = {};
      node = next;
    }
  }
  return shareLeaves(root);
}

/** Every field set's leaf, frozen: ~40 empty objects an object were a seventh of the sandbox's heap. */
const LEAF: JsonObject = Object.freeze({});

function shareLeaves(node: JsonObject): JsonObject {
  for (const name in node) {
    const child = node[name] as JsonObject;
    node[name] = Object.keys(child).length === 0 ? LEAF : shareLeaves(child);
  }
  return node;
}

/** The paths of a `fieldsV1` tree (its empty nodes), by path text. */
export function decodeFields(fields: Json | undefined): Map<string, Segment[]> {
  const out = new Map<string, Segment[]>();
  const visit = (node: Json, segments: Segment[]) => {
    if (!isObject(node)) return;
    const names = Object.keys(node).filter((n) => n !== '.');
    if (names.length === 0 && segments.length > 0) {
      out.set(pathText(segments), segments);
      return;
    }
    for (const name of names) {
      const rest = name.slice(2);
      let segment: Segment;
      if (name.startsWith('f:')) segment = { field: rest };
      else if (name.startsWith('v:')) segment = { member: JSON.parse(rest) as Json };
      else {
        const [key, value] = Object.entries(JSON.parse(rest) as JsonObject)[0]!;
        segment = { key, value };
      }
      visit(node[name]!, [...segments, segment]);
    }
  };
  visit(fields ?? {}, []);
  return out;
}

/**
 * Removes the field at a path from an object in place. Removing the key field of a list item
 * (`containers[name="x"].name`) removes the whole item, as apply does when a manager drops it.
 */
export function removePath(obj: JsonObject, segments: readonly Segment[]): void {
  const last = segments[segments.length - 1];
  const parentSegment = segments[segments.length - 2];
  if (last && 'field' in last && parentSegment && 'key' in parentSegment && parentSegment.key === last.field) {
    removePath(obj, segments.slice(0, -1));
    return;
  }
  let container: Json = obj;
  for (const s of segments.slice(0, -1)) {
    const next = step(container, s);
    if (next === undefined) return;
    container = next;
  }
  if (!last) return;
  if ('field' in last && isObject(container)) delete container[last.field];
  else if (Array.isArray(container)) {
    const index = container.findIndex((item) => matchesSegment(item, last));
    if (index >= 0) container.splice(index, 1);
  }
}

function step(container: Json, s: Segment): Json | undefined {
  if ('field' in s) return isObject(container) ? container[s.field] : undefined;
  return asArray(container).find((item) => matchesSegment(item, s));
}

function matchesSegment(item: Json, s: Segment): boolean {
  if ('key' in s) return isObject(item) && JSON.stringify(item[s.key]) === JSON.stringify(s.value);
  if ('member' in s) return JSON.stringify(item) === JSON.stringify(s.member);
  return false;
}
