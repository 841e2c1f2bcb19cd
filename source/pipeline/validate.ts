/**
 * `validate` as a function over adapters and the store: YAML syntax, the Kubernetes schema of
 * every object (kubernetes-models, offline), names, namespaces, service images against the
 * registered versions and, when a cluster is given, a server-side dry run of every object.
 * Returns every problem with file:line, object and field; never prints.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { dryRunner, type DryRunner } from '../adapters/kube-dry-run.js';
import type { Cluster } from '../adapters/kube.js';
import { validateSchema } from '../adapters/k8s-schema.js';
import { imageEntryLine } from '../adapters/kustomize.js';
import { assertRendered, keyPositionOf, listTenantFolders, loadTenant, objectFiles, type ManifestDocument, type ManifestFile, type Tenant } from '../adapters/manifests.js';
import { parseImageRef } from '../domain/names.js';
import type { Core } from '../core.js';
import {
  containerNameFindings,
  duplicateKey,
  identityFindings,
  imageFindings,
  namespaceFindings,
  nothingManagedMessage,
  versionIndex,
  type CheckName,
  type Finding,
  type Severity,
} from '../domain/manifest-checks.js';
import { effectiveNamespace, fieldOf, objectLabel, workloadInfo, type YamlPath } from '../domain/manifest-model.js';
import type { ImageVersion } from '../domain/types.js';
import { mapLimit } from './concurrency.js';
import { ignoreEvents, type EventSink } from './events.js';
import { counted } from '../domain/words.js';

export interface ValidationProblem {
  severity: Severity;
  check: CheckName;
  tenant: string;
  /** Absolute path of the file (undefined for a tenant-level problem). */
  path?: string;
  line?: number;
  column?: number;
  /** `Deployment/callbot`. */
  object?: string;
  /** `spec.replicas`. */
  field?: string;
  message: string;
}

export interface TenantSummary {
  id: string;
  namespace: string;
  files: number;
  objects: number;
  errors: number;
  warnings: number;
}

export type ClusterCheck = { mode: 'offline'; reason: string } | { mode: 'dry-run'; description: string; objects: number };

export interface ValidateResult {
  tenants: TenantSummary[];
  problems: ValidationProblem[];
  errors: number;
  warnings: number;
  cluster: ClusterCheck;
}

export interface ValidateOptions {
  /** One tenant; all tenants when undefined. */
  tenant?: string;
  /** The cluster to run a server-side dry run against, when one is configured. */
  cluster?: Cluster;
  /** Why there is no dry run (shown in the output). */
  offlineReason?: string;
  onEvent?: EventSink;
}

interface Located {
  file: ManifestFile;
  document: ManifestDocument;
}

function problemAt(tenant: Tenant, at: Located, finding: Finding): ValidationProblem {
  if (tenant.kustomize) return overlayProblem(tenant, at, finding);
  const pos = keyPositionOf(at.file, at.document, finding.path);
  return {
    severity: finding.severity,
    check: finding.check,
    tenant: tenant.id,
    path: at.file.path,
    line: pos.line,
    column: pos.column,
    object: finding.object,
    field: finding.path.length > 0 ? fieldOf(finding.path) : undefined,
    message: finding.message,
  };
}

/**
 * A problem of a Kustomize overlay's rendered object: an image problem is placed at the overlay's
 * images: entry for that image (the line ecp edits), any other at the kustomization, naming the
 * rendered object and field.
 */
function overlayProblem(tenant: Tenant, at: Located, finding: Finding): ValidationProblem {
  const overlay = tenant.files[0]!;
  const image = finding.check === 'image' ? at.document.doc.getIn(finding.path) : undefined;
  const line = typeof image === 'string' && overlay.documents[0] ? imageEntryLine(overlay.documents[0].doc, overlay.lineCounter, parseImageRef(image).repository) : undefined;
  return {
    severity: finding.severity,
    check: finding.check,
    tenant: tenant.id,
    path: overlay.path,
    line: line ?? (finding.check === 'image' ? 1 : undefined),
    object: finding.object,
    field: finding.path.length > 0 ? fieldOf(finding.path) : undefined,
    message: `${finding.message} (in the objects ${tenant.kustomize!.tool ?? 'kustomize'} renders)`,
  };
}

/** Registered versions by service:tag, looking in the archive only for a tag not found hot. */
async function versionLookup(core: Core, tenants: Tenant[]) {
  const hot = (await core.store.read()).versions;
  const index = versionIndex(hot);
  const wanted = new Set<string>();
  for (const t of tenants) for (const s of t.services) for (const w of s.workloads) for (const c of w.own) if (c.tag) wanted.add(`${s.name}:${c.tag}`);
  const missingServices = new Set([...wanted].filter((k) => !index.has(k)).map((k) => k.split(':')[0]!));
  for (const service of missingServices) {
    const archived = await core.store.archivedVersions(service, hot);
    for (const [k, v] of versionIndex(archived)) if (!index.has(k)) index.set(k, v);
  }
  return (service: string, tag: string): ImageVersion | undefined => index.get(`${service}:${tag}`);
}

async function checkTenant(core: Core, tenant: Tenant, lookup: (s: string, t: string) => ImageVersion | undefined): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of tenant.files) {
    for (const e of file.errors) {
      const message = e.code === 'KUSTOMIZE' ? `the overlay does not render: ${e.message}` : `YAML syntax: ${e.message}`;
      problems.push({ severity: 'error', check: 'yaml', tenant: tenant.id, path: file.path, line: e.line, column: e.column, message });
    }
    for (const w of file.warnings) {
      problems.push({ severity: 'warning', check: 'yaml', tenant: tenant.id, path: file.path, line: w.line, column: w.column, message: `YAML: ${w.message}` });
    }
  }
  for (const file of objectFiles(tenant)) {
    for (const document of file.documents) {
      if (document.empty || document.value === undefined) continue;
      const at = { file, document };
      const { info, value } = document;
      const add = (findings: Finding[]) => {
        for (const f of findings) problems.push(problemAt(tenant, at, f));
      };
      const identity = identityFindings(value, info);
      add(identity);
      if (identity.some((f) => f.check === 'object')) continue;
      add(namespaceFindings(info, tenant.namespace, tenant.id, tenant.namespaceSource));
      const key = duplicateKey(info, tenant.namespace);
      if (key) {
        const first = seen.get(key);
        if (first) {
          add([{ severity: 'error', check: 'object', object: objectLabel(info), path: ['metadata', 'name'], message: `${objectLabel(info)} is defined twice (first at ${first})` }]);
        } else seen.set(key, `${file.file}:${document.line}`);
      }
      const schema = await validateSchema(value, info.apiVersion!, info.kind!);
      if (!schema.known) {
        add([{ severity: 'warning', check: 'schema', object: objectLabel(info), path: ['kind'], message: `unknown kind ${info.kind} (${info.apiVersion}): its schema was not checked` }]);
      } else {
        add(schema.errors.map((e) => ({ severity: 'error' as const, check: 'schema' as const, object: objectLabel(info), path: e.path, message: `${fieldOf(e.path) || 'object'} ${e.message}` })));
      }
      const workload = workloadInfo(value, core.config);
      if (workload) {
        add(containerNameFindings(workload));
        add(imageFindings(workload, { registry: core.config.registry, imagePrefix: core.config.imagePrefix, serviceImages: core.config.serviceImages, lookup }));
      }
    }
  }
  if (objectFiles(tenant).every((f) => f.documents.every((d) => d.empty)) && tenant.files.every((f) => f.errors.length === 0)) {
    problems.push({ severity: 'warning', check: 'tenant', tenant: tenant.id, path: tenant.dir, message: `tenant ${tenant.id} has no Kubernetes objects` });
  } else if (tenant.workloads.length > 0 && tenant.services.length === 0) {
    problems.push({ severity: 'warning', check: 'tenant', tenant: tenant.id, path: tenant.dir, message: nothingManagedMessage(tenant.id, tenant.workloads, core.config) });
  }
  return problems;
}

function dryRunObject(tenant: Tenant, document: ManifestDocument): KubernetesObject {
  const object = structuredClone(document.value) as KubernetesObject;
  const ns = effectiveNamespace(document.info, tenant.namespace);
  if (ns !== undefined) object.metadata = { ...object.metadata, namespace: ns };
  return object;
}

/** Maps a Status cause field such as `spec.template.spec.containers[0].image` to a path. */
function causePath(field: string | undefined): YamlPath {
  if (!field) return [];
  return field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

async function dryRunTenant(tenant: Tenant, runner: DryRunner, emit: EventSink): Promise<{ problems: ValidationProblem[]; objects: number }> {
  const targets: Located[] = [];
  for (const file of objectFiles(tenant)) {
    if (file.errors.length > 0) continue;
    for (const document of file.documents) {
      if (!document.empty && document.info.kind && document.info.apiVersion && document.info.name) targets.push({ file, document });
    }
  }
  emit({ step: 'dry-run', status: 'start', message: `server-side dry run of ${counted(targets.length, 'object')} of ${tenant.id} on ${runner.description}`, tenant: tenant.id });
  const outcomes = await mapLimit(targets, 8, (t) => runner.dryRun(dryRunObject(tenant, t.document)));
  const problems: ValidationProblem[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) return;
    const at = targets[i]!;
    const object = objectLabel(at.document.info);
    const missingNs = outcome.code === 404 && /namespaces? "?[a-z0-9-]+"? not found/i.test(outcome.message);
    if (missingNs) {
      problems.push(
        problemAt(tenant, at, {
          severity: 'warning',
          check: 'dry-run',
          object,
          path: ['metadata', 'namespace'],
          message: `not dry-run: ${outcome.message} in the cluster yet`,
        }),
      );
      return;
    }
    const causes = outcome.causes.length > 0 ? outcome.causes : [{ field: undefined, message: outcome.message }];
    for (const cause of causes) {
      problems.push(
        problemAt(tenant, at, {
          severity: 'error',
          check: 'dry-run',
          object,
          path: causePath(cause.field),
          message: `server rejected it${outcome.code ? ` (${outcome.code}${outcome.reason ? ` ${outcome.reason}` : ''})` : ''}: ${cause.message}`,
        }),
      );
    }
  });
  return { problems, objects: targets.length };
}

export async function validateManifests(core: Core, options: ValidateOptions = {}): Promise<ValidateResult> {
  const emit = options.onEvent ?? ignoreEvents;
  const runner = options.cluster ? dryRunner(options.cluster) : undefined;
  const problems: ValidationProblem[] = [];
  let ids: string[];
  if (options.tenant !== undefined) {
    ids = [options.tenant];
  } else {
    const folders = await listTenantFolders(core.config);
    for (const f of folders.filter((x) => !x.valid)) {
      problems.push({ severity: 'warning', check: 'tenant', tenant: f.id, path: f.dir, message: `folder "${f.id}" is not a tenant: its name is not a DNS-1123 label, so ecp ignores it` });
    }
    ids = folders.filter((f) => f.valid).map((f) => f.id);
  }
  emit({ step: 'load', status: 'start', message: `reading ${counted(ids.length, 'tenant')}` });
  const tenants = await Promise.all(ids.map((id) => loadTenant(core.config, id)));
  // An overlay nothing can render cannot be checked at all: for that one tenant, say so (exit 2).
  if (options.tenant !== undefined && tenants[0]!.kustomize && tenants[0]!.kustomize.tool === undefined) assertRendered(tenants[0]!);
  const lookup = await versionLookup(core, tenants);
  const summaries: TenantSummary[] = [];
  let dryRunObjects = 0;
  for (const tenant of tenants) {
    const found = await checkTenant(core, tenant, lookup);
    if (runner) {
      const dry = await dryRunTenant(tenant, runner, emit);
      found.push(...dry.problems);
      dryRunObjects += dry.objects;
    }
    problems.push(...found);
    summaries.push({
      id: tenant.id,
      namespace: tenant.namespace,
      files: tenant.files.length,
      objects: objectFiles(tenant).reduce((n, f) => n + f.documents.filter((d) => !d.empty).length, 0),
      errors: found.filter((p) => p.severity === 'error').length,
      warnings: found.filter((p) => p.severity === 'warning').length,
    });
  }
  problems.sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return {
    tenants: summaries,
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
    cluster: runner ? { mode: 'dry-run', description: runner.description, objects: dryRunObjects } : { mode: 'offline', reason: options.offlineReason ?? 'no cluster configured' },
  };
}
