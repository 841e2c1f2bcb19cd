/** The resource types the sandbox serves, described once for routing, discovery and errors. */
import { leases } from './leases.js';

export interface ResourceType {
  group: string; // '' for core
  version: string;
  /** Plural, as in URLs: `deployments`. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources besides the object itself. */
  subresources: ('status' | 'scale' | 'log')[];
  /** Whether `metadata.generation` tracks spec changes (workloads do; pods and namespaces not in 1.32). */
  hasGeneration: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs discovery lists; namespaces, as on a real server, cannot be deleted as a collection. */
export function verbsOf(type: ResourceType): string[] {
  return type.plural === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : [...VERBS];
}

export const namespaces: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  subresources: ['status'],
  hasGeneration: false,
};

export const pods: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'log'],
  hasGeneration: false,
};

/** An apps/v1 kind: workloads have status, scale and a generation; ControllerRevisions none of them. */
function appsKind(kind: string, shortNames: string[], workload = true): ResourceType {
  const singular = kind.toLowerCase();
  return {
    group: 'apps',
    version: 'v1',
    plural: `${singular}s`,
    singular,
    kind,
    namespaced: true,
    shortNames,
    categories: workload ? ['all'] : [],
    subresources: workload ? ['status', 'scale'] : [],
    hasGeneration: workload,
  };
}

export const deployments = appsKind('Deployment', ['deploy']);
export const replicaSets = appsKind('ReplicaSet', ['rs']);
export const statefulSets = appsKind('StatefulSet', ['sts']);
export const controllerRevisions = appsKind('ControllerRevision', [], false);

/** Plain core/v1 kinds a tenant's manifests hold besides workloads: stored and served, no controller. */
function coreKind(kind: string, plural: string, shortNames: string[], categories: string[] = []): ResourceType {
  return { group: '', version: 'v1', plural, singular: kind.toLowerCase(), kind, namespaced: true, shortNames, categories, subresources: kind === 'Service' ? ['status'] : [], hasGeneration: false };
}

export const services = coreKind('Service', 'services', ['svc'], ['all']);
export const configMaps = coreKind('ConfigMap', 'configmaps', ['cm']);
export const secrets = coreKind('Secret', 'secrets', []);
export const serviceAccounts = coreKind('ServiceAccount', 'serviceaccounts', ['sa']);
export const events = coreKind('Event', 'events', ['ev']);
export const endpoints = coreKind('Endpoints', 'endpoints', ['ep']);

export const endpointSlices: ResourceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  plural: 'endpointslices',
  singular: 'endpointslice',
  kind: 'EndpointSlice',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  hasGeneration: false,
};

export const allResources: readonly ResourceType[] = [
  namespaces,
  pods,
  deployments,
  replicaSets,
  statefulSets,
  controllerRevisions,
  services,
  endpoints,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  endpointSlices,
  leases,
];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps` / `pods`: how the API server names a resource in messages. */
export function qualifiedName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Deployment.apps` / `Pod`: how the API server names a kind in validation messages. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return allResources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return allResources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** The group-versions served, in discovery order. */
export function groupVersions(): { group: string; version: string; resources: ResourceType[] }[] {
  const out: { group: string; version: string; resources: ResourceType[] }[] = [];
  for (const r of allResources) {
    const existing = out.find((g) => g.group === r.group && g.version === r.version);
    if (existing) existing.resources.push(r);
    else out.push({ group: r.group, version: r.version, resources: [r] });
  }
  return out;
}
