/**
 * The rules `ecp validate` checks that need no library and no I/O: names, namespaces and the
 * images of services against the registered versions. Each finding names the object, the field
 * (as a path, which the caller turns into file:line) and one sentence.
 */
import { effectiveNamespace, fieldOf, isNamespaced, objectLabel, type ContainerInfo, type ObjectInfo, type ServiceImage, type WorkloadInfo, type YamlPath } from './manifest-model.js';
import { isDns1123Label } from './names.js';
import { describeFailure, isBlocked, isFailed, type ImageVersion } from './types.js';
import { counted } from './words.js';

export type Severity = 'error' | 'warning';
export type CheckName = 'yaml' | 'object' | 'schema' | 'name' | 'namespace' | 'image' | 'dry-run' | 'tenant';

export interface Finding {
  severity: Severity;
  check: CheckName;
  object?: string;
  path: YamlPath;
  message: string;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names must be DNS-1123 labels (they become host names or label values). */
const LABEL_NAMED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'Namespace', 'Job', 'CronJob']);

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Identity checks of one object: apiVersion, kind, name format, namespace format. */
export function identityFindings(value: unknown, info: ObjectInfo): Finding[] {
  const object = objectLabel(info);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ severity: 'error', check: 'object', path: [], message: 'the document is not a Kubernetes object (a mapping with apiVersion, kind and metadata)' }];
  }
  const findings: Finding[] = [];
  if (!info.apiVersion) findings.push({ severity: 'error', check: 'object', object, path: ['apiVersion'], message: 'apiVersion is missing' });
  if (!info.kind) findings.push({ severity: 'error', check: 'object', object, path: ['kind'], message: 'kind is missing' });
  const generateName = (value as { metadata?: { generateName?: unknown } }).metadata?.generateName;
  if (!info.name) {
    if (typeof generateName !== 'string') {
      findings.push({ severity: 'error', check: 'name', object, path: ['metadata', 'name'], message: 'metadata.name is missing' });
    }
  } else if (LABEL_NAMED.has(info.kind ?? '')) {
    if (!isDns1123Label(info.name)) {
      findings.push({
        severity: 'error',
        check: 'name',
        object,
        path: ['metadata', 'name'],
        message: `name "${info.name}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
      });
    }
  } else if (!isDns1123Subdomain(info.name)) {
    findings.push({
      severity: 'error',
      check: 'name',
      object,
      path: ['metadata', 'name'],
      message: `name "${info.name}" is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`,
    });
  }
  if (info.namespace !== undefined && !isDns1123Label(info.namespace)) {
    findings.push({
      severity: 'error',
      check: 'name',
      object,
      path: ['metadata', 'namespace'],
      message: `namespace "${info.namespace}" is not a DNS-1123 label`,
    });
  }
  return findings;
}

/** Container names must be DNS-1123 labels. */
export function containerNameFindings(workload: WorkloadInfo): Finding[] {
  const object = `${workload.kind}/${workload.name}`;
  return workload.containers
    .filter((c) => c.name !== undefined && !isDns1123Label(c.name))
    .map((c) => ({
      severity: 'error' as const,
      check: 'name' as const,
      object,
      path: [...c.imagePath.slice(0, -1), 'name'],
      message: `container name "${c.name}" is not a DNS-1123 label`,
    }));
}

/**
 * Namespace rule: a namespaced object must land in the tenant's namespace. An object without
 * metadata.namespace lands there (ecp applies a tenant's objects to its namespace), so it matches.
 */
export function namespaceFindings(info: ObjectInfo, tenantNs: string, tenantId: string, source: string): Finding[] {
  if (!isNamespaced(info.kind)) return [];
  const ns = effectiveNamespace(info, tenantNs);
  if (ns === tenantNs) return [];
  const whose = source === 'tenant-id' ? `tenant ${tenantId}'s namespace` : `tenant ${tenantId}'s namespace (its ${source === 'kustomization' ? "kustomization's namespace:" : 'Namespace object'})`;
  return [
    {
      severity: 'error',
      check: 'namespace',
      object: objectLabel(info),
      path: ['metadata', 'namespace'],
      message: `namespace "${ns}" is not ${whose} "${tenantNs}"`,
    },
  ];
}

/** Index of registered versions by `service:tag` (newest kept). */
export function versionIndex(versions: readonly ImageVersion[]): Map<string, ImageVersion> {
  const index = new Map<string, ImageVersion>();
  for (const v of versions) {
    const key = `${v.serviceName}:${v.imageTag}`;
    const known = index.get(key);
    if (!known || known.createdAt < v.createdAt) index.set(key, v);
  }
  return index;
}

export interface ImageRules {
  registry: string;
  imagePrefix: string;
  /** The services the config names, with their images and workloads. */
  serviceImages?: readonly ServiceImage[];
  /** The registered version of service:tag, or undefined. */
  lookup(service: string, tag: string): ImageVersion | undefined;
}

function imageFinding(workload: WorkloadInfo, container: ContainerInfo, severity: Severity, message: string): Finding {
  return { severity, check: 'image', object: `${workload.kind}/${workload.name}`, path: container.imagePath, message };
}

/**
 * Image rules of one workload. Each service's containers need a tag that is registered and not
 * blocked. A workload running no service is not managed by ecp (a warning), unless one of its
 * images is `${prefix}/<x>` under another registry: that is an error, it looks like a service
 * image with the wrong registry.
 */
export function imageFindings(workload: WorkloadInfo, rules: ImageRules): Finding[] {
  const findings: Finding[] = [];
  const base = `${rules.registry}/${rules.imagePrefix}/`;
  const own = workload.containers.filter((c) => c.service !== undefined);
  for (const c of own) {
    const service = c.service!;
    if (c.tag === undefined) {
      findings.push(imageFinding(workload, c, 'error', `image ${c.image} has no tag; ecp tracks versions by tag`));
      continue;
    }
    const version = rules.lookup(service, c.tag);
    if (!version) {
      findings.push(imageFinding(workload, c, 'error', `tag ${c.tag} of ${service} is not registered (ecp versions register)`));
    } else if (isBlocked(version)) {
      const why = version.securityScanResult === 'failed' ? 'security scan failed' : `status ${version.status}`;
      findings.push(imageFinding(workload, c, 'error', `tag ${c.tag} of ${service} is blocked (${why}; version ${version.id})`));
    } else if (isFailed(version)) {
      // Only a version named explicitly gets here again: said, not refused.
      findings.push(imageFinding(workload, c, 'warning', `tag ${c.tag} of ${service} ${describeFailure(version)} (version ${version.id})`));
    }
  }
  for (const service of new Set(own.map((c) => c.service))) {
    const containers = own.filter((c) => c.service === service);
    const tags = new Set(containers.map((c) => c.tag));
    if (tags.size > 1) findings.push(imageFinding(workload, containers[0]!, 'warning', `the containers of ${service} use different tags (${[...tags].join(', ')})`));
  }
  if (own.length > 0) return findings;

  const excluded = workload.containers.find((c) => rules.serviceImages?.some((s) => s.repository === c.repository));
  if (excluded) {
    const owner = rules.serviceImages!.find((s) => s.repository === excluded.repository)!;
    findings.push(
      imageFinding(workload, excluded, 'warning', `image ${excluded.image} is service ${owner.name}'s, but its workloads: in the config do not list ${workload.name}; ecp leaves this workload alone`),
    );
    return findings;
  }
  const misplaced = workload.containers.find(
    (c) => c.repository !== undefined && !c.repository.startsWith(base) && (c.repository.includes(`/${rules.imagePrefix}/`) || c.repository.startsWith(`${rules.imagePrefix}/`)),
  );
  if (misplaced) {
    findings.push(
      imageFinding(
        workload,
        misplaced,
        'error',
        `image ${misplaced.image} is not under the configured registry/prefix ${base} (expected ${base}${misplaced.repository!.slice(misplaced.repository!.lastIndexOf('/') + 1)}:<tag>)`,
      ),
    );
    return findings;
  }
  findings.push({
    severity: 'warning',
    check: 'image',
    object: `${workload.kind}/${workload.name}`,
    path: ['spec', 'template', 'spec', 'containers'],
    message: `not managed by ecp: none of its images is under ${base} or named in the config's services:`,
  });
  return findings;
}

/**
 * A tenant with workloads but no service ecp manages watches nothing (issue 20): what to add to
 * the config, naming the images its workloads run.
 */
export function nothingManagedMessage(tenantId: string, workloads: readonly WorkloadInfo[], rules: Pick<ImageRules, 'registry' | 'imagePrefix'>): string {
  const images = [...new Set(workloads.flatMap((w) => w.containers.flatMap((c) => (c.repository ? [c.repository] : []))))];
  const example = images[0] ?? 'REPOSITORY';
  return (
    `tenant ${tenantId} has ${counted(workloads.length, 'workload')} but no service ecp manages: none of their images (${images.join(', ') || 'none'}) is under ${rules.registry}/${rules.imagePrefix}/; ` +
    `name one in ecp.config.yaml, e.g. services: [{name: ${example.slice(example.lastIndexOf('/') + 1)}, image: ${example}}], or set DOCKER_REGISTRY / IMAGE_PREFIX`
  );
}

/** Objects that appear twice (same kind, namespace and name). */
export function duplicateKey(info: ObjectInfo, tenantNs: string): string | undefined {
  if (!info.kind || !info.name) return undefined;
  const group = info.apiVersion?.includes('/') ? info.apiVersion.split('/')[0] : '';
  return `${group}|${info.kind}|${effectiveNamespace(info, tenantNs) ?? ''}|${info.name}`;
}

export { fieldOf };
