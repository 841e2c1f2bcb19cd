/**
 * Label selectors (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), LabelSelector objects
 * (matchLabels / matchExpressions) and the field selectors the API server supports.
 */
import { asArray, asObject, asString, at, type JsonObject } from './json.js';
import { badRequest } from './status.js';

type Operator = 'in' | 'notin' | 'exists' | 'doesnotexist';

interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

/** A parsed selector; an empty one matches everything. */
export type LabelSelector = Requirement[];

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  const out: Requirement[] = [];
  for (const part of splitTopLevel(text ?? '')) {
    out.push(parseRequirement(part));
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseRequirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return checked({ key: set[1]!, op: set[2] as 'in' | 'notin', values }, text);
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (eq) {
    return checked({ key: eq[1]!, op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]!] }, text);
  }
  if (text.startsWith('!')) return checked({ key: text.slice(1).trim(), op: 'doesnotexist', values: [] }, text);
  return checked({ key: text, op: 'exists', values: [] }, text);
}

function checked(req: Requirement, text: string): Requirement {
  if (!KEY.test(req.key) || !req.values.every((v) => VALUE.test(v))) {
    throw badRequest(`unable to parse requirement: invalid label selector "${text}"`);
  }
  return req;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const { key, op, values } of selector) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'doesnotexist':
        if (has) return false;
        break;
      case 'in':
        if (!has || !values.includes(value!)) return false;
        break;
      case 'notin':
        if (has && values.includes(value!)) return false;
        break;
    }
  }
  return true;
}

/** A `spec.selector` object (matchLabels + matchExpressions) as requirements. */
export function fromSelectorObject(selector: JsonObject | undefined): LabelSelector {
  const out: Requirement[] = [];
  const matchLabels = asObject(selector?.matchLabels);
  for (const [key, value] of Object.entries(matchLabels ?? {})) {
    out.push({ key, op: 'in', values: [String(value)] });
  }
  for (const expr of asArray(selector?.matchExpressions)) {
    const key = asString(at(expr, 'key')) ?? '';
    const op = (asString(at(expr, 'operator')) ?? '').toLowerCase();
    const values = asArray(at(expr, 'values')).map(String);
    if (op === 'in' || op === 'notin' || op === 'exists' || op === 'doesnotexist') out.push({ key, op, values });
  }
  return out;
}

/** The text form kubectl and the API server print: requirements sorted by key. */
export function formatSelector(selector: LabelSelector): string {
  if (selector.length === 0) return '<none>';
  return [...selector]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, op, values }) => {
      if (op === 'exists') return key;
      if (op === 'doesnotexist') return `!${key}`;
      if (values.length === 1 && op === 'in') return `${key}=${values[0]}`;
      if (values.length === 1 && op === 'notin') return `${key}!=${values[0]}`;
      return `${key} ${op} (${[...values].sort().join(',')})`;
    })
    .join(',');
}

interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export type FieldSelector = FieldRequirement[];

/** Fields each kind may be selected on, beyond metadata.name and metadata.namespace. */
const EXTRA_FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'status.phase'],
  Namespace: ['status.phase'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'type',
  ],
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldSelector {
  const allowed = ['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[kind] ?? [])];
  const out: FieldRequirement[] = [];
  for (const part of (text ?? '').split(',').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, value: m[3]!, negate: m[2] === '!=' });
  }
  return out;
}

export function matchesFields(selector: FieldSelector, obj: JsonObject): boolean {
  return selector.every(({ field, value, negate }) => {
    const actual = asString(at(obj, ...field.split('.'))) ?? '';
    return (actual === value) !== negate;
  });
}
