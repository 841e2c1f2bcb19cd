/**
 * OpenAPI v3 schemas of the served kinds (`components.schemas` of `/openapi/v3/apis/apps/v1` and
 * `/openapi/v3/api/v1`), built from the same field types the typed decoding checks, so that
 * `kubectl explain` finds each kind, its fields and their types. The definitions carry no
 * descriptions: the generated models the types come from have none.
 */
import type { JsonObject } from './json.js';
import type { ResourceType } from './resources.js';
import { attributesOf, goName, ROOT_MODELS, type Attribute } from './typed.js';

const PREFIX = 'io.k8s.sandbox.';

function fieldSchema(attribute: Attribute, wanted: Set<string>): JsonObject {
  const { type, format } = attribute;
  const list = /^Array<(.+)>$/.exec(type);
  const map = /^\{\[key:string\]:(.+);\}$/.exec(type);
  if (list) return { type: 'array', items: fieldSchema({ type: list[1]!, format }, wanted) };
  if (map) return { type: 'object', additionalProperties: fieldSchema({ type: map[1]!, format }, wanted) };
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'number':
      return format === 'double' ? { type: 'number', format } : { type: 'integer', format: format || 'int64' };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true, format: 'int-or-string' };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      wanted.add(type);
      return { allOf: [{ $ref: `#/components/schemas/${PREFIX}${goName(type)}` }], default: {} };
  }
}

/** The schemas of these kinds and of every type they reach. */
export function openapiSchemas(kinds: ResourceType[]): JsonObject {
  const schemas: JsonObject = {};
  const wanted = new Set<string>();
  const roots = new Map<string, ResourceType>();
  for (const kind of kinds) {
    const model = ROOT_MODELS[kind.kind];
    if (!model) continue;
    wanted.add(model);
    roots.set(model, kind);
  }
  const done = new Set<string>();
  for (let pending = [...wanted]; pending.length > 0; pending = [...wanted].filter((m) => !done.has(m))) {
    for (const model of pending) {
      done.add(model);
      const properties: JsonObject = {};
      for (const [name, attribute] of attributesOf(model) ?? []) properties[name] = fieldSchema(attribute, wanted);
      const schema: JsonObject = { type: 'object', properties };
      const root = roots.get(model);
      if (root) schema['x-kubernetes-group-version-kind'] = [{ group: root.group, kind: root.kind, version: root.version }];
      schemas[`${PREFIX}${goName(model)}`] = schema;
    }
  }
  return schemas;
}
