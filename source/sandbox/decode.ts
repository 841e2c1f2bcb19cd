/**
 * Request bodies as the API server decodes them: JSON, YAML or protobuf (415 for anything else);
 * typed decoding against the served kind with fieldValidation (Ignore / Warn / Strict); and the
 * errors each handler answers with when a body does not decode (create and update 400, patches
 * 422 naming the patch, server-side apply structured-merge-diff's 500).
 */
import { parse as parseYaml } from 'yaml';
import { isObject, type Json, type JsonObject, type KubeObject } from './json.js';
import { decodeProtobuf, PROTOBUF } from './protobuf.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import type { ApiRequest } from './rest.js';
import { ApiError, badRequest, unsupportedMediaType } from './status.js';
import { decodeTyped, type Decoded } from './typed.js';

export function mediaType(req: ApiRequest): string {
  return (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function parseBody(req: ApiRequest): Json {
  const text = req.body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  try {
    return JSON.parse(text) as Json;
  } catch {
    if (!/yaml/.test(req.contentType ?? '')) throw badRequest('the request body is not valid JSON');
  }
  try {
    return parseYaml(text) as Json;
  } catch (error) {
    throw badRequest(`error decoding YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A DeleteOptions body (kubectl sends JSON; typed clients may send protobuf), {} when there is none. */
export function optionsBody(req: ApiRequest): JsonObject {
  if (req.body.length === 0) return {};
  const body = mediaType(req) === PROTOBUF ? decodeProtobuf(req.body) : parseBody(req);
  return isObject(body) ? body : {};
}

/** What a create or update body may be sent as; anything else is 415, as a real server answers. */
const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF];

function asKubeObject(body: Json): KubeObject {
  if (!isObject(body)) throw badRequest("Object 'Kind' is missing in the request body");
  if (!isObject(body.metadata)) body.metadata = {};
  return body as KubeObject;
}

type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** `fieldValidation`: Warn when absent, as the API server defaults it since 1.23. */
function fieldValidation(req: ApiRequest): FieldValidation {
  const value = req.url.searchParams.get('fieldValidation') ?? 'Warn';
  if (value !== 'Ignore' && value !== 'Warn' && value !== 'Strict') {
    throw badRequest(`fieldValidation parameter unsupported: ${value}. Valid values are: Ignore, Warn, Strict`);
  }
  return value;
}

const unknownList = (decoded: Decoded) => decoded.unknown.map((u) => `unknown field "${u.strict}"`);

/** A patched object that does not decode: 422 naming the patch, as the API server's patch handler answers. */
function patchInvalid(shown: Json, error: string): ApiError {
  const message = `Invalid value: ${JSON.stringify(shown)}: ${error}`;
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
}

/** What the typed decoding of a request object leaves to store, and the warnings to send. */
export interface Checked {
  object: KubeObject;
  warnings: string[];
}

/** A create or update body, decoded to its type (none: a Scale): 400 for a wrong type or, when Strict, an unknown field. */
export function objectBody(req: ApiRequest, type: ResourceType | undefined): Checked {
  const media = mediaType(req) || 'application/json';
  if (!OBJECT_MEDIA_TYPES.includes(media)) throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  const body = asKubeObject(media === PROTOBUF ? decodeProtobuf(req.body) : parseBody(req));
  const validation = fieldValidation(req);
  if (!type) return { object: body, warnings: [] };
  const decoded = decodeTyped(type.kind, body);
  const refused = (error: string) => badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${error}`);
  if (decoded.mismatch) throw refused(decoded.mismatch.json);
  if (decoded.unknown.length > 0 && validation === 'Strict') throw refused(`strict decoding error: ${unknownList(decoded).join(', ')}`);
  return { object: decoded.object, warnings: validation === 'Warn' ? unknownList(decoded) : [] };
}

/** Go's `%+v` of a decoded JSON value, as the strategic merge patch handler prints the patch in errors. */
function goValue(value: Json): string {
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (isObject(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue(value[k]!)}`)
      .join(' ')}]`;
  return String(value);
}

/**
 * A patch's result, decoded to its type: 422 for a wrong type or, when Strict, an unknown field.
 * The message names the patched object (JSON and merge patches) or the patch itself, with the
 * unstructured converter's words (strategic merge patches), as the API server's handlers do.
 */
export function patchedObject(req: ApiRequest, type: ResourceType, patched: KubeObject, patch: Json): Checked {
  const validation = fieldValidation(req);
  const decoded = decodeTyped(type.kind, patched);
  const strategic = mediaType(req) === 'application/strategic-merge-patch+json';
  const shown: Json = strategic ? goValue(patch) : JSON.stringify(patched);
  if (decoded.mismatch) throw patchInvalid(shown, strategic ? decoded.mismatch.converter : decoded.mismatch.json);
  if (decoded.unknown.length > 0 && validation === 'Strict') throw patchInvalid(shown, `strict decoding error: ${unknownList(decoded).join(', ')}`);
  return { object: decoded.object, warnings: validation === 'Warn' ? unknownList(decoded) : [] };
}

/** A server-side apply configuration: typed (its explicit zeros kept, fields its manager owns), and as sent. */
export interface ApplyConfig {
  typed: KubeObject;
  sent: KubeObject;
}

/**
 * A server-side apply configuration: structured-merge-diff refuses a wrong type and an undeclared
 * field whatever fieldValidation says, with a plain (500) error.
 */
export function applyConfig(req: ApiRequest, type: ResourceType, namespace: string, name: string): ApplyConfig {
  const sent = asKubeObject(parseBody(req));
  const decoded = decodeTyped(type.kind, sent, false);
  const errors = [...(decoded.mismatch ? [decoded.mismatch.apply] : []), ...decoded.unknown.map((u) => `${u.apply}: field not declared in schema`)];
  if (errors.length === 0) return { typed: decoded.object, sent };
  const where = `${type.namespaced ? `${namespace}/` : ''}${name}; ${apiVersionOf(type)}, Kind=${type.kind}`;
  const text = errors.length === 1 ? errors[0]! : `errors:\n  ${errors.join('\n  ')}`;
  throw new ApiError(500, '', `failed to create typed patch object (${where}): ${text}`);
}
