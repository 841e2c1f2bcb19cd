/**
 * `Content-Type: application/vnd.kubernetes.protobuf`, which kubectl's typed clients send
 * (`kubectl create configmap|secret|namespace|serviceaccount|deployment|service`, `auth can-i`):
 * the `k8s\0` magic, a runtime.Unknown envelope (apiVersion, kind, raw), and the object in the
 * proto2 wire format of k8s.io/api, decoded to the JSON a real server would have decoded it to.
 * Replies stay JSON: kubectl's Accept lists application/json after protobuf.
 */
import type { Json, JsonObject, KubeObject } from './json.js';
import { MESSAGES } from './proto-schema.js';
import { badRequest } from './status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

interface Field {
  name: string;
  type: string;
  map: boolean;
  repeated: boolean;
}

const schemas = new Map<string, Map<number, Field>>();

function schemaOf(message: string): Map<number, Field> {
  let fields = schemas.get(message);
  if (fields) return fields;
  fields = new Map();
  for (const spec of (MESSAGES[message] ?? '').split('|').filter(Boolean)) {
    const [name, num, rawType] = spec.split(' ') as [string, string, string];
    const repeated = rawType.endsWith('*');
    const map = rawType.startsWith('{');
    fields.set(Number(num), { name, type: rawType.replace(/[{*]/g, ''), map, repeated });
  }
  schemas.set(message, fields);
  return fields;
}

/**
 * Pointer fields whose zero value means something. gogo-protobuf writes every non-pointer field,
 * zero or not, and Go's JSON encoder then drops the zeros (omitempty); only pointers keep them.
 */
const KEEP_ZERO = new Set(['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'terminationGracePeriodSeconds', 'partition', 'automountServiceAccountToken']);

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw badRequest('protobuf: unexpected end of input');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw badRequest('protobuf: varint overflow');
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.end) throw badRequest('protobuf: unexpected end of input');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wireType}`);
  }
}

/** int32 / int64 as Go reads them: two's complement over 64 bits. */
function integer(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

function scalar(type: string, reader: Reader, wireType: number): Json {
  switch (type) {
    case 's':
      return reader.bytes().toString('utf8');
    case 'y':
      return reader.bytes().toString('base64');
    case 'i':
      return integer(reader.varint());
    case 'b':
      return reader.varint() !== 0n;
    case 'd': {
      if (wireType !== 1) throw badRequest('protobuf: a double must be a fixed64');
      const value = reader.buf.readDoubleLE(reader.pos);
      reader.pos += 8;
      return value;
    }
    default:
      return decodeMessage(type, reader.bytes());
  }
}

function isZero(value: Json): boolean {
  return value === '' || value === 0 || value === false || value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** The JSON forms of the apimachinery types that are not plain messages in JSON. */
function special(message: string, obj: JsonObject): Json {
  switch (message) {
    case 'Time':
    case 'MicroTime': {
      const seconds = Number(obj.seconds ?? 0);
      if (seconds === 0 && !obj.nanos) return null;
      return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    }
    case 'IntOrString':
      return obj.type === 1 ? String(obj.strVal ?? '') : Number(obj.intVal ?? 0);
    case 'Quantity':
      return String(obj.string ?? '');
    case 'RawExtension':
    case 'FieldsV1': {
      const raw = String(obj.raw ?? obj.Raw ?? '');
      return raw === '' ? null : (JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Json);
    }
    default:
      return obj;
  }
}

function decodeMessage(message: string, buf: Buffer): Json {
  const fields = schemaOf(message);
  const reader = new Reader(buf);
  const out: JsonObject = {};
  while (reader.pos < reader.end) {
    const tag = Number(reader.varint());
    const field = fields.get(tag >>> 3);
    const wireType = tag & 7;
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    if (field.map) {
      const entry = new Reader(reader.bytes());
      let key = '';
      let value: Json = null;
      while (entry.pos < entry.end) {
        const entryTag = Number(entry.varint());
        if (entryTag >>> 3 === 1) key = entry.bytes().toString('utf8');
        else if (entryTag >>> 3 === 2) value = scalar(field.type, entry, entryTag & 7);
        else entry.skip(entryTag & 7);
      }
      const map = (out[field.name] ??= {}) as JsonObject;
      map[key] = value ?? (field.type === 's' || field.type === 'y' ? '' : null);
      continue;
    }
    if (field.repeated && wireType === 2 && (field.type === 'i' || field.type === 'b')) {
      // A packed repeated scalar.
      const packed = new Reader(reader.bytes());
      const list = (out[field.name] ??= []) as Json[];
      while (packed.pos < packed.end) list.push(scalar(field.type, packed, 0));
      continue;
    }
    const value = scalar(field.type, reader, wireType);
    if (field.repeated) ((out[field.name] ??= []) as Json[]).push(value);
    else if (!isZero(value) || KEEP_ZERO.has(field.name)) out[field.name] = value;
  }
  return special(message, out);
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf request body into the object it carries (kind and apiVersion included). */
export function decodeProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const reader = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  while (reader.pos < reader.end) {
    const tag = Number(reader.varint());
    if (tag >>> 3 === 1 && (tag & 7) === 2) {
      const meta = new Reader(reader.bytes());
      while (meta.pos < meta.end) {
        const metaTag = Number(meta.varint());
        if (metaTag >>> 3 === 1) apiVersion = meta.bytes().toString('utf8');
        else if (metaTag >>> 3 === 2) kind = meta.bytes().toString('utf8');
        else meta.skip(metaTag & 7);
      }
    } else if (tag >>> 3 === 2 && (tag & 7) === 2) raw = reader.bytes();
    else reader.skip(tag & 7);
  }
  if (!kind || MESSAGES[kind] === undefined) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const decoded = decodeMessage(kind, raw ?? Buffer.alloc(0)) as JsonObject;
  const object: KubeObject = { kind, apiVersion, ...decoded, metadata: (decoded.metadata as JsonObject | undefined) ?? {} };
  return object;
}
