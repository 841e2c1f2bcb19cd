/**
 * What a tenant's manifests mean to ecp (DESIGN §3), as pure functions over plain parsed
 * objects: which objects are workloads (Deployments, StatefulSets), which service each of their
 * containers belongs to (issue 20: a service is an image repository, run by one or more workloads
 * whatever they are called), and which namespace an object lands in. Positions in the YAML are given as paths; the manifests adapter
 * turns paths into lines.
 */
import { dns1123Problem, isDns1123Label, parseImageRef } from './names.js';

/** A path into a parsed document: keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds that have no namespace; everything else is namespaced. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

/** The identity fields of one Kubernetes object, as far as the document gives them. */
export interface ObjectInfo {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface ContainerInfo {
  /** Which list of the pod spec it is in. */
  list: 'containers' | 'initContainers';
  index: number;
  name?: string;
  /** The image as written, or undefined when the container has none. */
  image?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  /** Path of the `image` value inside the document. */
  imagePath: YamlPath;
  /** The service whose image this is (see serviceOfImage), or undefined: a sidecar, another image. */
  service?: string;
}

export interface WorkloadInfo {
  kind: WorkloadKind;
  name: string;
  /** metadata.namespace as written (undefined when absent). */
  declaredNamespace?: string;
  replicas?: number;
  /** Every container and init container of the pod template, in order. */
  containers: ContainerInfo[];
}

export const POD_SPEC_PATH: YamlPath = ['spec', 'template', 'spec'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function objectInfo(value: unknown): ObjectInfo {
  if (!isRecord(value)) return {};
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return {
    apiVersion: stringOrUndefined(value.apiVersion),
    kind: stringOrUndefined(value.kind),
    name: stringOrUndefined(metadata.name),
    namespace: stringOrUndefined(metadata.namespace),
  };
}

/** `Deployment/callbot`, for messages. */
export function objectLabel(info: ObjectInfo): string {
  return `${info.kind ?? '(no kind)'}/${info.name ?? '(no name)'}`;
}

export function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind ?? '');
}

export function isNamespaced(kind: string | undefined): boolean {
  return !CLUSTER_SCOPED_KINDS.has(kind ?? '');
}

/** A service named in the config: its image repository and, optionally, the only workloads that run it. */
export interface ServiceImage {
  name: string;
  repository: string;
  workloads?: readonly string[];
}

/** What decides which service a container belongs to: the configured registry/prefix and `services:`. */
export interface ImageOwnership {
  registry: string;
  imagePrefix: string;
  serviceImages?: readonly ServiceImage[];
}

/** The repository of a service: the configured `image`, else `${registry}/${prefix}/${service}`. */
export function serviceRepositoryOf(rules: ImageOwnership, service: string): string {
  return rules.serviceImages?.find((s) => s.name === service)?.repository ?? `${rules.registry}/${rules.imagePrefix}/${service}`;
}

/**
 * The service a container of `workload` with this image repository belongs to: a configured
 * service with that image (when it lists workloads, only in those), else `<x>` for an image
 * `${registry}/${prefix}/<x>` whose `<x>` is no configured service's name. The workload's own name
 * plays no part.
 */
export function serviceOfImage(rules: ImageOwnership, workload: string, repository: string | undefined): string | undefined {
  if (repository === undefined) return undefined;
  const configured = (rules.serviceImages ?? []).filter((s) => s.repository === repository);
  if (configured.length > 0) return configured.find((s) => !s.workloads || s.workloads.includes(workload))?.name;
  const base = `${rules.registry}/${rules.imagePrefix}/`;
  if (!repository.startsWith(base)) return undefined;
  const name = repository.slice(base.length);
  if (!isDns1123Label(name) || rules.serviceImages?.some((s) => s.name === name)) return undefined;
  return name;
}

/** The containers of a pod template (containers first, then init containers). */
export function podContainers(value: unknown, workload: string, rules: ImageOwnership): ContainerInfo[] {
  const spec = isRecord(value) && isRecord(value.spec) ? value.spec : undefined;
  const template = spec && isRecord(spec.template) ? spec.template : undefined;
  const podSpec = template && isRecord(template.spec) ? template.spec : undefined;
  if (!podSpec) return [];
  const found: ContainerInfo[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item, index) => {
      if (!isRecord(item)) return;
      const image = stringOrUndefined(item.image);
      const ref = image === undefined ? undefined : parseImageRef(image);
      found.push({
        list,
        index,
        name: stringOrUndefined(item.name),
        image,
        repository: ref?.repository,
        tag: ref?.tag,
        digest: ref?.digest,
        imagePath: [...POD_SPEC_PATH, list, index, 'image'],
        service: serviceOfImage(rules, workload, ref?.repository),
      });
    });
  }
  return found;
}

/**
 * A Deployment or StatefulSet as ecp sees it, or undefined for any other object (or one without
 * a name). `rules` say which containers are which service's.
 */
export function workloadInfo(value: unknown, rules: ImageOwnership): WorkloadInfo | undefined {
  const info = objectInfo(value);
  if (!isWorkloadKind(info.kind) || !info.name) return undefined;
  const spec = isRecord(value) && isRecord(value.spec) ? value.spec : {};
  return {
    kind: info.kind,
    name: info.name,
    declaredNamespace: info.namespace,
    replicas: typeof spec.replicas === 'number' ? spec.replicas : undefined,
    containers: podContainers(value, info.name, rules),
  };
}

/** The services a workload runs, in container order. */
export function servicesOf(workload: WorkloadInfo): string[] {
  return [...new Set(workload.containers.flatMap((c) => (c.service === undefined ? [] : [c.service])))];
}

/** The containers of a workload that carry the service's image. */
export function ownContainers(workload: WorkloadInfo, service: string): ContainerInfo[] {
  return workload.containers.filter((c) => c.service === service);
}

/**
 * The service's main container in a workload: the first of `containers` (not init containers)
 * with the service's image; falling back to an init container only when no regular one has it.
 */
export function mainContainer(workload: WorkloadInfo, service: string): ContainerInfo | undefined {
  const own = ownContainers(workload, service);
  return own.find((c) => c.list === 'containers') ?? own[0];
}

export type NamespaceSource = 'tenant-id' | 'Namespace object' | 'kustomization';

/**
 * The tenant's namespace: a Kustomize overlay's `namespace:`, else the name of the single
 * Namespace object among its manifests (the manifests "say otherwise"), else the tenant id.
 */
export function tenantNamespace(tenantId: string, objects: readonly ObjectInfo[], overlayNamespace?: string): { namespace: string; source: NamespaceSource } {
  if (overlayNamespace) return { namespace: overlayNamespace, source: 'kustomization' };
  const declared = [...new Set(objects.filter((o) => o.kind === 'Namespace' && o.name).map((o) => o.name!))];
  if (declared.length === 1) return { namespace: declared[0]!, source: 'Namespace object' };
  return { namespace: tenantId, source: 'tenant-id' };
}

/** Where a namespaced object lands: its metadata.namespace, else the tenant's namespace. */
export function effectiveNamespace(info: ObjectInfo, tenantNs: string): string | undefined {
  if (!isNamespaced(info.kind)) return undefined;
  return info.namespace ?? tenantNs;
}

export class TenantIdError extends Error {}

/** Refuses anything that is not a DNS-1123 label before it can reach a path. */
export function checkTenantId(id: string): void {
  const problem = dns1123Problem('Tenant id', id);
  if (problem) throw new TenantIdError(problem);
}

/** `repo:tag`, keeping a digest pin only when one is given. */
export function imageWithTag(repository: string, tag: string, digest?: string): string {
  return digest ? `${repository}:${tag}@${digest}` : `${repository}:${tag}`;
}

/** `a.b.c[0].d` from a path, for problem messages. */
export function fieldOf(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}
