/**
 * Discovery and OpenAPI documents (KUBE-API-NOTES §0, §1, §6.3): `/version` with minor "32" so
 * the kubectl dispatcher always picks its built-in 1.32; aggregated v2 discovery when the Accept
 * asks for it (with the exact Content-Type kubectl checks), legacy lists otherwise; the minimal
 * OpenAPI v3 that lets `kubectl apply` / `replace` validate on the server (fieldValidation=Strict).
 */
import type { JsonObject } from './json.js';
import { openapiSchemas } from './openapi.js';
import { groupVersions, verbsOf, type ResourceType } from './resources.js';

export const VERSION: JsonObject = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.5',
  gitCommit: '9894294ef13a5b32803e3ca2c0d620a088cc84d1',
  gitTreeState: 'clean',
  buildDate: '2025-05-15T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Which aggregated discovery version (if any) an Accept header asks for, in its order of preference. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!/g=apidiscovery\.k8s\.io/.test(part) || !/as=APIGroupDiscoveryList/.test(part)) continue;
    const version = /;\s*v=(v2beta1|v2)\b/.exec(part)?.[1];
    if (version === 'v2' || version === 'v2beta1') return version;
  }
  return undefined;
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** A log is only read; status and scale are read and written. */
function subresourceVerbs(sub: string): string[] {
  return sub === 'log' ? ['get'] : ['get', 'patch', 'update'];
}

function responseKind(r: ResourceType): JsonObject {
  return { group: r.group, version: r.version, kind: r.kind };
}

function aggregatedResource(r: ResourceType): JsonObject {
  const entry: JsonObject = {
    resource: r.plural,
    responseKind: responseKind(r),
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: verbsOf(r),
  };
  if (r.shortNames.length) entry.shortNames = [...r.shortNames];
  if (r.categories.length) entry.categories = [...r.categories];
  entry.subresources = r.subresources.map((sub) => ({
    subresource: sub,
    responseKind: sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : responseKind(r),
    verbs: subresourceVerbs(sub),
  }));
  return entry;
}

/** `/api` (core) or `/apis` (named groups) as an APIGroupDiscoveryList. */
export function aggregated(core: boolean, version: 'v2' | 'v2beta1'): JsonObject {
  const items = groupVersions()
    .filter((gv) => (gv.group === '') === core)
    .map(
      (gv): JsonObject => ({
        metadata: core ? {} : { name: gv.group },
        versions: [{ version: gv.version, freshness: 'Current', resources: gv.resources.map(aggregatedResource) }],
      }),
    );
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function legacyCore(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, version: string): JsonObject {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: { ...gv } };
}

export function legacyGroups(): JsonObject {
  const groups = groupVersions()
    .filter((gv) => gv.group !== '')
    .map((gv) => apiGroup(gv.group, gv.version));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `/apis/<group>`: the APIGroup, or undefined for a group we do not serve. */
export function legacyGroup(group: string): JsonObject | undefined {
  const gv = groupVersions().find((g) => g.group === group && group !== '');
  return gv ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(gv.group, gv.version) } : undefined;
}

/** `/api/v1`, `/apis/apps/v1`: the APIResourceList, or undefined for an unknown group-version. */
export function resourceList(group: string, version: string): JsonObject | undefined {
  const gv = groupVersions().find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const resources = gv.resources.flatMap((r) => {
    const main: JsonObject = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r) };
    if (r.shortNames.length) main.shortNames = [...r.shortNames];
    if (r.categories.length) main.categories = [...r.categories];
    const subs = r.subresources.map((sub) => {
      const entry: JsonObject = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: sub === 'scale' ? 'Scale' : r.kind, verbs: subresourceVerbs(sub) };
      if (sub === 'scale') Object.assign(entry, { group: 'autoscaling', version: 'v1' });
      return entry;
    });
    return [main, ...subs];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

const OPENAPI_HASH = 'ECPSANDBOX0001';

function openapiKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openapiIndex(): JsonObject {
  const paths: JsonObject = {};
  for (const gv of groupVersions()) {
    const key = openapiKey(gv.group, gv.version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${OPENAPI_HASH}` };
  }
  return { paths };
}

/**
 * `/openapi/v3/apis/apps/v1` etc.: one PATCH operation per object path that declares the
 * fieldValidation parameter, which is all kubectl looks for before leaving validation to us, and
 * the kinds' schemas for `kubectl explain`.
 */
export function openapiDocument(path: string): JsonObject | undefined {
  // The documents never change: built once per group-version.
  if (!documents.has(path)) documents.set(path, buildDocument(path));
  return documents.get(path);
}

const documents = new Map<string, JsonObject | undefined>();

function buildDocument(path: string): JsonObject | undefined {
  const gv = groupVersions().find((g) => openapiKey(g.group, g.version) === path);
  if (!gv) return undefined;
  const paths: JsonObject = {};
  for (const r of gv.resources) {
    const prefix = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
    const objectPath = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}/{name}` : `${prefix}/${r.plural}/{name}`;
    paths[objectPath] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.5' }, paths, components: { schemas: openapiSchemas(gv.resources) } };
}
