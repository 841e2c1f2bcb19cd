/**
 * The resource endpoints: `/api/v1/...` and `/apis/<group>/<version>/...` parsed into a verb on a
 * resource, and each verb answered with the API server's semantics (lists with selectors and
 * pagination, Tables, create 201, replace, the four patch types, delete with cascading,
 * the status and scale subresources, watches).
 */
import type { Cluster, DeleteOptions, Propagation, WriteOptions } from './cluster.js';
import { applyConfig, mediaType, objectBody, optionsBody, parseBody, patchedObject } from './decode.js';
import type { Scope } from './fieldset.js';
import { asArray, asNumber, asString, at, isObject, labelsOf, type Json, type JsonObject, type KubeObject } from './json.js';
import { jsonPatch, JsonPatchFailure, mergePatch, strategicMerge } from './patch.js';
import { apiVersionOf, findResource, verbsOf, type ResourceType } from './resources.js';
import { formatSelector, fromSelectorObject, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, conflict, jsonPatchRejected, deleted, methodNotAllowed, pathNotFound, unsupportedMediaType } from './status.js';
import { containerLog } from './container-logs.js';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './table.js';
import type { WatchSpec } from './watch.js';

export interface ApiRequest {
  method: string;
  url: URL;
  accept?: string;
  contentType?: string;
  userAgent?: string;
  body: Buffer;
}

/** What a request was about, filled in for the request log. */
export interface Target {
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** A body of pieces (`string[]`) is written piece by piece, its Content-Length their sum. */
export type Reply = { status: number; body: JsonObject | string | string[]; contentType?: string; warnings?: string[] } | { watch: WatchSpec };

interface Parsed {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  legacyWatch: boolean;
}

/** Splits a resource URL; undefined when it names nothing we serve. */
function parseResourcePath(pathname: string): Parsed | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else return undefined;
  const version = rest.shift()!;
  const legacyWatch = rest[0] === 'watch';
  if (legacyWatch) rest.shift();
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2]!)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, extra] = rest;
  const type = plural ? findResource(group, version, plural) : undefined;
  if (!type || extra !== undefined) return undefined;
  if (type.namespaced && namespace === undefined && name !== undefined) return undefined;
  if (subresource !== undefined && !(type.subresources as string[]).includes(subresource)) return undefined;
  return { type, namespace, name, subresource, legacyWatch };
}

function truthy(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function manager(req: ApiRequest): string {
  return req.url.searchParams.get('fieldManager') ?? req.userAgent?.split('/')[0] ?? 'unknown';
}

/** `dryRun=All` in the query or, for a DELETE, in the DeleteOptions body (where kubectl puts it). */
function dryRun(req: ApiRequest, fromBody: Json[] = []): boolean {
  const values = [...req.url.searchParams.getAll('dryRun'), ...fromBody];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${String(v)}; supported values: "All"`);
  return values.length > 0;
}

export class RestApi {
  constructor(private readonly cluster: Cluster) {}

  handle(req: ApiRequest, target: Target): Reply {
    const parsed = parseResourcePath(req.url.pathname);
    if (!parsed) throw pathNotFound();
    const { type, namespace, name, subresource } = parsed;
    const q = req.url.searchParams;
    const watching = parsed.legacyWatch || truthy(q.get('watch'));
    const verb = verbOf(req.method, name !== undefined, watching);
    Object.assign(target, { verb, resource: type.plural, namespace, name, subresource });
    if (subresource === 'log' && verb !== 'get') throw methodNotAllowed();
    const ns = type.namespaced ? (namespace ?? '') : '';
    switch (verb) {
      case 'list':
        return this.list(req, type, namespace);
      case 'watch':
        return { watch: this.watchSpec(req, type, namespace, name) };
      case 'get':
        return this.get(req, type, ns, name!, subresource);
      case 'create': {
        if (type.namespaced && namespace === undefined) throw methodNotAllowed();
        const { object, warnings } = objectBody(req, type);
        return { status: 201, body: this.cluster.create(type, ns, object, this.options(req, 'main')), warnings };
      }
      case 'update':
        return this.update(req, type, ns, name!, subresource);
      case 'patch':
        return this.patch(req, type, ns, name!, subresource);
      case 'delete':
        return this.delete(req, type, ns, name!);
      case 'deletecollection':
        return this.deleteCollection(req, type, namespace);
      default:
        throw methodNotAllowed();
    }
  }

  private options(req: ApiRequest, scope: Scope): WriteOptions {
    return { manager: manager(req), dryRun: dryRun(req), scope };
  }

  private selection(req: ApiRequest, type: ResourceType, name?: string): (obj: KubeObject) => boolean {
    const labels = parseLabelSelector(req.url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(req.url.searchParams.get('fieldSelector'), type.kind);
    return (obj) => (name === undefined || obj.metadata.name === name) && matchesLabels(labels, labelsOf(obj)) && matchesFields(fields, obj);
  }

  private list(req: ApiRequest, type: ResourceType, namespace: string | undefined): Reply {
    const matches = this.selection(req, type);
    const all = this.cluster.store.list(type, namespace).filter(matches);
    const { items, next } = paginate(all, req.url.searchParams);
    const rv = String(this.cluster.store.resourceVersion);
    if (wantsTable(req.accept)) {
      const table = toTable(type.kind, items, this.cluster.clock.now(), rv);
      if (next) Object.assign(table.metadata as JsonObject, next);
      return { status: 200, body: table, contentType: TABLE_CONTENT_TYPE };
    }
    return { status: 200, body: listJson(type, items, { resourceVersion: rv, ...next }) };
  }

  private watchSpec(req: ApiRequest, type: ResourceType, namespace: string | undefined, name?: string): WatchSpec {
    const q = req.url.searchParams;
    const rv = q.get('resourceVersion');
    const fromRv = rv === null || rv === '' || rv === '0' ? undefined : Number(rv);
    if (fromRv !== undefined && !Number.isInteger(fromRv)) throw badRequest(`invalid resource version: ${rv}`);
    const timeout = q.get('timeoutSeconds');
    const table = wantsTable(req.accept);
    const now = () => this.cluster.clock.now();
    return {
      resource: type,
      namespace,
      matches: this.selection(req, type, name),
      fromRv,
      bookmarks: truthy(q.get('allowWatchBookmarks')),
      initialEvents: truthy(q.get('sendInitialEvents')),
      timeoutSeconds: timeout === null ? undefined : Number(timeout),
      render: table ? (obj) => JSON.stringify(toTable(type.kind, [obj], now(), undefined, false)) : undefined,
    };
  }

  private get(req: ApiRequest, type: ResourceType, ns: string, name: string, subresource?: string): Reply {
    const obj = this.cluster.get(type, ns, name);
    if (subresource === 'scale') return { status: 200, body: toScale(obj) };
    if (subresource === 'log') {
      return { status: 200, body: containerLog(obj, req.url.searchParams), contentType: 'text/plain' };
    }
    if (wantsTable(req.accept)) {
      return { status: 200, body: toTable(type.kind, [obj], this.cluster.clock.now(), asString(obj.metadata.resourceVersion)), contentType: TABLE_CONTENT_TYPE };
    }
    return { status: 200, body: obj };
  }

  private update(req: ApiRequest, type: ResourceType, ns: string, name: string, subresource?: string): Reply {
    const { object: body, warnings } = objectBody(req, subresource === 'scale' ? undefined : type);
    if (subresource === 'scale') {
      const previous = this.cluster.get(type, ns, name);
      const rv = asString(body.metadata.resourceVersion);
      if (rv && rv !== previous.metadata.resourceVersion) throw conflict(type, name);
      return { status: 200, body: toScale(this.scaleTo(req, type, previous, body)) };
    }
    const scope: Scope = subresource === 'status' ? 'status' : 'main';
    return { status: 200, body: this.cluster.replace(type, ns, name, body, this.options(req, scope)), warnings };
  }

  private patch(req: ApiRequest, type: ResourceType, ns: string, name: string, subresource?: string): Reply {
    const kind = mediaType(req);
    const scope: Scope = subresource === 'status' ? 'status' : 'main';
    const options = this.options(req, scope);
    if (kind === 'application/apply-patch+yaml') {
      if (!req.url.searchParams.get('fieldManager')) throw badRequest('fieldManager is required for apply requests');
      if (subresource === 'scale') throw methodNotAllowed();
      const force = truthy(req.url.searchParams.get('force'));
      const { object, created } = this.cluster.apply(type, ns, name, applyConfig(req, type, ns, name), { ...options, force });
      return { status: created ? 201 : 200, body: object };
    }
    const previous = this.cluster.get(type, ns, name);
    const base = subresource === 'scale' ? toScale(previous) : previous;
    const patch = parseBody(req);
    const patched = applyPatch(kind, base, patch);
    if (!isObject(patched) || !isObject(patched.metadata)) throw badRequest('the patched object is not an object');
    if (subresource === 'scale') {
      if (patched.metadata.resourceVersion !== base.metadata.resourceVersion) throw conflict(type, name);
      return { status: 200, body: toScale(this.scaleTo(req, type, previous, patched as KubeObject)) };
    }
    const { object, warnings } = patchedObject(req, type, patched as KubeObject, patch);
    return { status: 200, body: this.cluster.replacePatched(type, previous, object, options), warnings };
  }

  private scaleTo(req: ApiRequest, type: ResourceType, previous: KubeObject, scale: KubeObject): KubeObject {
    const replicas = asNumber(at(scale, 'spec', 'replicas'));
    if (replicas === undefined) throw badRequest('spec.replicas is required in a Scale');
    const next: KubeObject = { ...previous, spec: { ...(previous.spec as JsonObject), replicas } };
    return this.cluster.replacePatched(type, previous, next, this.options(req, 'main'));
  }

  private deleteOptions(req: ApiRequest): DeleteOptions {
    const fromBody = optionsBody(req);
    const propagation = req.url.searchParams.get('propagationPolicy') ?? asString(fromBody.propagationPolicy);
    if (propagation !== undefined && propagation !== null && !['Background', 'Foreground', 'Orphan'].includes(propagation)) {
      throw badRequest(`propagationPolicy: Unsupported value: "${propagation}"`);
    }
    const preconditions = isObject(fromBody.preconditions) ? fromBody.preconditions : undefined;
    const grace = req.url.searchParams.get('gracePeriodSeconds') ?? fromBody.gracePeriodSeconds;
    const gracePeriodSeconds = grace === undefined || grace === null ? undefined : Number(grace);
    if (gracePeriodSeconds !== undefined && !Number.isInteger(gracePeriodSeconds)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}`);
    return { propagation: (propagation ?? undefined) as Propagation | undefined, preconditions, dryRun: dryRun(req, asArray(fromBody.dryRun)), gracePeriodSeconds };
  }

  private delete(req: ApiRequest, type: ResourceType, ns: string, name: string): Reply {
    const options = this.deleteOptions(req);
    const obj = this.cluster.delete(type, ns, name, options);
    // An object that lingers (Terminating) is answered with itself, as the API server does.
    if (!options.dryRun && this.cluster.store.get(type, ns, name)?.metadata.uid === obj.metadata.uid) return { status: 200, body: this.cluster.get(type, ns, name) };
    return { status: 200, body: deleted(type, name, String(obj.metadata.uid)) };
  }

  private deleteCollection(req: ApiRequest, type: ResourceType, namespace: string | undefined): Reply {
    // A namespaced collection is deleted one namespace at a time; across all of them is not a route,
    // and namespaces themselves cannot be deleted as a collection.
    if ((type.namespaced && namespace === undefined) || !verbsOf(type).includes('deletecollection')) throw methodNotAllowed();
    const options = this.deleteOptions(req);
    const items = this.cluster.store.list(type, namespace).filter(this.selection(req, type));
    for (const obj of items) this.cluster.delete(type, asString(obj.metadata.namespace) ?? '', String(obj.metadata.name), options);
    return { status: 200, body: listJson(type, items, { resourceVersion: String(this.cluster.store.resourceVersion) }) };
  }
}

/** Items a piece of a list's JSON holds: ~40 KB of Deployments, under V8's large-object size. */
const LIST_PIECE = 16;

/**
 * A `<Kind>List`, in pieces of a few items. Its items carry no kind / apiVersion, as a real
 * server's typed lists do (clients must not rely on them). Serialized when asked: a JSON text kept
 * per stored object was a fifth of the sandbox's heap with 1 000 Deployments, for ~10 ms a list of
 * them; and in pieces, since one text of them (2.5 MB) went to V8's large-object space at every
 * list, where those piled up until a full collection (4 MB of peak RSS a list).
 */
function listJson(type: ResourceType, items: KubeObject[], metadata: JsonObject): string[] {
  const pieces = [`{"kind":"${type.kind}List","apiVersion":"${apiVersionOf(type)}","metadata":${JSON.stringify(metadata)},"items":[`];
  for (let i = 0; i < items.length; i += LIST_PIECE) {
    const texts = items.slice(i, i + LIST_PIECE).map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => JSON.stringify(item));
    pieces.push(`${i > 0 ? ',' : ''}${texts.join(',')}`);
  }
  pieces.push(']}');
  return pieces;
}

function verbOf(method: string, named: boolean, watching: boolean): string {
  switch (method) {
    case 'GET':
      if (watching) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return named ? 'unsupported' : 'create';
    case 'PUT':
      return named ? 'update' : 'unsupported';
    case 'PATCH':
      return named ? 'patch' : 'unsupported';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return 'unsupported';
  }
}

const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json'];

function applyPatch(kind: string, base: KubeObject, patch: Json): Json {
  switch (kind) {
    case 'application/merge-patch+json':
      if (!isObject(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      return mergePatch(base, patch);
    case 'application/strategic-merge-patch+json':
      if (!isObject(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      return strategicMerge(base, patch) ?? {};
    case 'application/json-patch+json':
      try {
        return jsonPatch(base, patch);
      } catch (error) {
        if (error instanceof JsonPatchFailure) throw jsonPatchRejected();
        throw error;
      }
    default:
      throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  }
}

/** `limit` / `continue`: pages in key order; the token names the last key served. */
function paginate(all: KubeObject[], q: URLSearchParams): { items: KubeObject[]; next?: { continue: string; remainingItemCount: number } } {
  const limit = Number(q.get('limit') ?? '0');
  const token = q.get('continue');
  let start = 0;
  if (token) {
    let after: [string, string];
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: unknown };
      if (!Array.isArray(decoded.after)) throw new Error('bad token');
      after = [String(decoded.after[0]), String(decoded.after[1])];
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    start = all.findIndex((o) => compareKeys(keyOf(o), after) > 0);
    if (start < 0) start = all.length;
  }
  if (!(limit > 0) || start + limit >= all.length) return { items: all.slice(start) };
  const items = all.slice(start, start + limit);
  return {
    items,
    next: {
      continue: Buffer.from(JSON.stringify({ after: keyOf(items[items.length - 1]!) })).toString('base64url'),
      remainingItemCount: all.length - start - limit,
    },
  };
}

function keyOf(obj: KubeObject): [string, string] {
  return [asString(obj.metadata.namespace) ?? '', asString(obj.metadata.name) ?? ''];
}

/** The store's order: namespace, then name. */
function compareKeys(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
function toScale(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const metadata: JsonObject = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) if (m[k] !== undefined) metadata[k] = m[k]!;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: asNumber(at(obj, 'spec', 'replicas')) ?? 0 },
    status: {
      replicas: asNumber(at(obj, 'status', 'replicas')) ?? 0,
      selector: formatSelector(fromSelectorObject(isObject(at(obj, 'spec', 'selector')) ? (at(obj, 'spec', 'selector') as JsonObject) : undefined)),
    },
  };
}
