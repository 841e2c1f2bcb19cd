/**
 * The API server's typed decoding of a request object: every field checked against the Go type
 * of the served kind (a string where an int32 goes is an error, as in `json.Unmarshal`), fields
 * the type does not declare collected for fieldValidation (Strict refuses them, Warn and Ignore
 * drop them), nulls dropped (a null leaves Go's zero value), zeros of non-pointer fields dropped
 * (Go's omitempty on the way out), Quantities kept as strings.
 *
 * The field types (type-schema.ts) are generated from @kubernetes/client-node's models, which
 * carry the Kubernetes OpenAPI definitions (JSON name, type, format) as data.
 */
import { isObject, type Json, type JsonObject, type KubeObject } from './json.js';
import { mergeKey } from './schema.js';
import { MODELS } from './type-schema.js';

export interface Attribute {
  type: string;
  format: string;
}

const attributeCache = new Map<string, Map<string, Attribute> | undefined>();

/** A model's fields by JSON name, or undefined for a name that is no model. */
export function attributesOf(model: string): Map<string, Attribute> | undefined {
  if (!attributeCache.has(model)) {
    const spec = MODELS[model];
    const fields = spec
      ?.split('|')
      .filter(Boolean)
      .map((field): [string, Attribute] => {
        const [name, type, format] = field.split(' ') as [string, string, string | undefined];
        return [name, { type, format: format ?? '' }];
      });
    attributeCache.set(model, fields && new Map(fields));
  }
  return attributeCache.get(model);
}

/** The client-node model of each served kind. */
export const ROOT_MODELS: Record<string, string> = {
  Namespace: 'V1Namespace',
  Pod: 'V1Pod',
  Deployment: 'V1Deployment',
  ReplicaSet: 'V1ReplicaSet',
  StatefulSet: 'V1StatefulSet',
  ControllerRevision: 'V1ControllerRevision',
  Service: 'V1Service',
  Endpoints: 'V1Endpoints',
  EndpointSlice: 'V1EndpointSlice',
  ConfigMap: 'V1ConfigMap',
  Secret: 'V1Secret',
  ServiceAccount: 'V1ServiceAccount',
  Event: 'CoreV1Event',
  Lease: 'V1Lease',
};

/**
 * Fields whose zero value is stored: pointers (`replicas: 0` is not "unset") and the few fields
 * without omitempty. By JSON name across the served kinds, so a name that is a pointer in one type
 * keeps its zero everywhere; keeping a zero a real server drops is the safer mistake.
 */
const KEEPS_ZERO = new Set([
  'replicas',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'partition',
  'automountServiceAccountToken',
  'shareProcessNamespace',
  'enableServiceLinks',
  'setHostnameAsFQDN',
  'hostUsers',
  'priority',
  'privileged',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'readOnlyRootFilesystem',
  'allowPrivilegeEscalation',
  'fsGroup',
  'defaultMode',
  'mode',
  'optional',
  'immutable',
  'allocateLoadBalancerNodePorts',
  'controller',
  'blockOwnerDeletion',
  'ready',
  'serving',
  'terminating',
  'started',
  'restartCount',
  'exitCode',
  'containerPort',
  'port',
  'revision',
  'containers',
  'endpoints',
  'addresses',
  'name',
  'key',
  'operator',
  'path',
  'mountPath',
]);

const isMap = (type: string) => type.startsWith('{[key:string]:');

/**
 * Go's omitempty: false, 0, "" and empty lists and maps are not written; structs (IntOrString,
 * Time, Quantity and every model) always are.
 */
function omitted(value: Json, field: string, type: string): boolean {
  if (KEEPS_ZERO.has(field)) return false;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return isMap(type) && Object.keys(value).length === 0;
  return (type === 'string' || type === 'number' || type === 'boolean') && (value === false || value === 0 || value === '');
}

/** The Go types of the timestamps: metav1.Time, and metav1.MicroTime (a Lease's renewTime, an Event's eventTime). */
const TIME_TYPES: Record<string, string> = { Date: 'v1.Time', V1MicroTime: 'v1.MicroTime' };

/** resource.Quantity fields: the OpenAPI types them as strings, but a JSON number decodes too. */
const QUANTITIES = new Set(['limits', 'requests', 'sizeLimit', 'overhead', 'divisor', 'capacity', 'allocatable', 'hard', 'used']);

export interface UnknownField {
  /** `spec.template.spec.containers[0].imagePullPolcy`, as strict decoding names it. */
  strict: string;
  /** `.spec.template.spec.containers[name="web"].imagePullPolcy`, as server-side apply names it. */
  apply: string;
}

export interface TypeMismatch {
  /** encoding/json's text: `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`. */
  json: string;
  /** structured-merge-diff's text: `.spec.replicas: expected numeric (int or float), got string`. */
  apply: string;
  /** The unstructured converter's text (strategic merge patches): `unrecognized type: int32`. */
  converter: string;
}

export interface Decoded {
  object: KubeObject;
  unknown: UnknownField[];
  /** The first wrong type (Go's decoder reports the first one). */
  mismatch?: TypeMismatch;
}

interface Where {
  /** The Go struct holding the field, and the dotted JSON path Go prints (no list indexes). */
  goStruct: string;
  goPath: string;
  strict: string;
  apply: string;
  field: string;
}

export const goName = (model: string) => model.replace(/^(Core|Apps|Events|Discovery)?V\d+((alpha|beta)\d+)?/, '');

function jsonKind(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : `number ${value}`;
  return typeof value;
}

class Decoder {
  readonly unknown: UnknownField[] = [];
  mismatch?: TypeMismatch;

  /** False for a server-side apply configuration, whose explicit zeros are fields its manager owns. */
  constructor(private readonly omitEmpty: boolean) {}

  private fail(where: Where, value: Json, goType: string, expected: string): undefined {
    this.mismatch ??= {
      json: `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${where.goStruct}.${where.goPath} of type ${goType}`,
      apply: `${where.apply}: expected ${expected}, got ${typeof value === 'string' ? 'string' : `&value.valueUnstructured{Value:${JSON.stringify(value)}}`}`,
      converter: converterError(value, goType),
    };
    return undefined;
  }

  /** The decoded value, or undefined for a value Go would leave at its zero value. */
  value(value: Json, type: string, format: string, where: Where): Json | undefined {
    if (value === null) return undefined;
    const list = /^Array<(.+)>$/.exec(type);
    const map = /^\{\[key:string\]:(.+);\}$/.exec(type);
    if (list) {
      if (!Array.isArray(value)) return this.fail(where, value, `[]${goTypeOf(list[1]!, format)}`, 'list');
      const key = mergeKey(where.field, value);
      return value.flatMap((item, i) => {
        const selector = key && isObject(item) && item[key] !== undefined ? `[${key}=${JSON.stringify(item[key])}]` : `[${i}]`;
        const decoded = this.value(item, list[1]!, format, { ...where, strict: `${where.strict}[${i}]`, apply: `${where.apply}${selector}` });
        return decoded === undefined ? [] : [decoded];
      });
    }
    if (map) {
      if (!isObject(value)) return this.fail(where, value, `map[string]${goTypeOf(map[1]!, format)}`, 'map');
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        const decoded = this.value(v, map[1]!, format, { ...where, strict: `${where.strict}.${k}`, apply: `${where.apply}.${k}` });
        if (decoded !== undefined) out[k] = decoded;
      }
      return out;
    }
    switch (type) {
      case 'any':
        return value;
      case 'string':
      case 'Date':
      case 'V1MicroTime':
        if (typeof value === 'number' && QUANTITIES.has(where.field)) return String(value);
        return typeof value === 'string' ? value : this.fail(where, value, QUANTITIES.has(where.field) ? 'resource.Quantity' : (TIME_TYPES[type] ?? 'string'), 'string');
      case 'number': {
        const integral = format !== 'double';
        if (typeof value !== 'number' || (integral && !Number.isInteger(value))) return this.fail(where, value, integral ? format || 'int64' : 'float64', 'numeric (int or float)');
        return value;
      }
      case 'boolean':
        return typeof value === 'boolean' ? value : this.fail(where, value, 'bool', 'boolean');
      case 'IntOrString':
        return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) ? value : this.fail(where, value, 'intstr.IntOrString', 'string or int');
      default:
        return this.object(value, type, where);
    }
  }

  object(value: Json, model: string, where: Where): JsonObject | undefined {
    const attributes = attributesOf(model);
    if (!attributes) return isObject(value) ? value : undefined;
    if (!isObject(value)) return this.fail(where, value, `v1.${goName(model)}`, 'map');
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      const strict = where.strict ? `${where.strict}.${key}` : key;
      const apply = `${where.apply}.${key}`;
      const attribute = attributes.get(key);
      if (!attribute) {
        this.unknown.push({ strict, apply });
        continue;
      }
      const goPath = where.goPath ? `${where.goPath}.${key}` : key;
      const decoded = this.value(child, attribute.type, attribute.format, { goStruct: goName(model), goPath, strict, apply, field: key });
      if (decoded !== undefined && !(this.omitEmpty && omitted(decoded, key, attribute.type))) out[key] = decoded;
    }
    return out;
  }
}

/** What runtime.DefaultUnstructuredConverter says when a value does not fit a Go type. */
function converterError(value: Json, goType: string): string {
  const kind = goType.startsWith('[]') ? 'slice' : goType.startsWith('map[') ? 'map' : goType.startsWith('v1.') || goType.includes('.') ? 'struct' : 'scalar';
  const source = Array.isArray(value)
    ? 'slice'
    : isObject(value)
      ? 'map'
      : typeof value === 'boolean'
        ? 'bool'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'int64'
            : 'float64'
          : 'string';
  if (kind !== 'scalar') return `cannot restore ${kind} from ${source}`;
  // Numbers convert to a string in Go's reflection, which the converter then refuses by name.
  if (goType === 'string' && (source === 'int64' || source === 'float64')) return `cannot convert ${source} to string`;
  return `unrecognized type: ${goType}`;
}

function goTypeOf(type: string, format: string): string {
  if (type === 'string') return 'string';
  if (type === 'number') return format || 'int64';
  if (type === 'boolean') return 'bool';
  return `v1.${goName(type)}`;
}

/** Decodes an object of a served kind; kinds without a model pass unchanged. */
export function decodeTyped(kind: string, obj: KubeObject, omitEmpty = true): Decoded {
  const model = ROOT_MODELS[kind];
  if (!model) return { object: obj, unknown: [] };
  const decoder = new Decoder(omitEmpty);
  const object = decoder.object(obj, model, { goStruct: goName(model), goPath: '', strict: '', apply: '', field: '' }) ?? {};
  return { object: { ...object, metadata: isObject(object.metadata) ? object.metadata : {} }, unknown: decoder.unknown, mismatch: decoder.mismatch };
}
