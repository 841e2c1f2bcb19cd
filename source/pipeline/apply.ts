/**
 * `ecp apply`: server-side apply of a tenant's manifests with field manager `ecp`. Every object
 * is first applied with dryRun=All; only when all of them pass (no conflicts with other field
 * managers, nothing invalid) is anything applied for real, so a refused apply changes nothing.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { assertParsed, loadTenant, objectFiles, type Tenant } from '../adapters/manifests.js';
import { objectApiClient, serverSideApply, statusCodeOf, toClusterError, type Cluster } from '../adapters/kube.js';
import type { Core } from '../core.js';
import { CLUSTER_SCOPED_KINDS } from '../domain/manifest-model.js';
import { isBlocked } from '../domain/types.js';
import { versionsByImage } from '../domain/status.js';
import { EcpError, UsageError } from '../errors.js';
import { ignoreEvents, type EventSink } from './events.js';
import { assertMayChange } from './policy.js';
import { counted } from '../domain/words.js';

export const FIELD_MANAGER = 'ecp';

export interface ApplyOptions {
  tenant: string;
  dryRun?: boolean;
  forceConflicts?: boolean;
  /** Apply images whose version is blocked (audited, with `reason`). */
  force?: boolean;
  /** The operator's reason, recorded with --force. */
  reason?: string;
  onEvent?: EventSink;
}

export interface AppliedObject {
  kind: string;
  name: string;
  namespace?: string;
  result: 'created' | 'configured' | 'unchanged';
}

export interface ApplyResult {
  tenant: string;
  dryRun: boolean;
  objects: AppliedObject[];
  /** Blocked images applied because of --force. */
  forced: string[];
}

/** An apply that stopped part-way: the cluster holds some of the change. Exit 1: something changed. */
export class PartlyAppliedError extends EcpError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Refused apply: conflicts or invalid objects, each named. Exit 1: the manifests need attention. */
export class ApplyRefusedError extends EcpError {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message, 1);
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; field?: string; message?: string }[] };
}

function statusBody(error: unknown): StatusBody {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body as StatusBody) ?? {};
}

/** The tenant's objects (a Kustomize overlay's rendered ones), each with its namespace. */
export function objectsOf(tenant: Tenant): KubernetesObject[] {
  return objectFiles(tenant).flatMap((file) =>
    file.documents
      .filter((d) => !d.empty && d.value && typeof d.value === 'object')
      .map((d) => {
        const object = structuredClone(d.value) as KubernetesObject;
        object.metadata ??= {};
        if (!CLUSTER_SCOPED_KINDS.has(object.kind ?? '') && !object.metadata.namespace) object.metadata.namespace = tenant.namespace;
        return object;
      }),
  );
}

/** What an apply can change: everything but server-kept metadata and status. */
export function desiredState(object: KubernetesObject | undefined): string {
  if (!object) return '';
  const { metadata, status: _status, ...rest } = object as KubernetesObject & { status?: unknown };
  const { managedFields: _m, resourceVersion: _r, generation: _g, uid: _u, creationTimestamp: _c, ...meta } = metadata ?? {};
  return JSON.stringify({ ...rest, metadata: meta });
}

const label = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}${o.metadata?.namespace ? ` in ${o.metadata.namespace}` : ''}`;

/** Conflicts only with fields ecp itself last wrote (a rollback's patch): ecp may take them back. */
function onlyOwnConflicts(error: unknown): boolean {
  if (statusCodeOf(error) !== 409) return false;
  const conflicts = (statusBody(error).details?.causes ?? []).filter((c) => c.reason === 'FieldManagerConflict');
  return conflicts.length > 0 && conflicts.every((c) => /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] === FIELD_MANAGER);
}

/** A sentence for one refused object: each field-manager conflict, or the API's message. */
function refusal(object: KubernetesObject, error: unknown): string {
  const status = statusBody(error);
  const conflicts = (status.details?.causes ?? []).filter((c) => c.reason === 'FieldManagerConflict');
  if (statusCodeOf(error) === 409 && conflicts.length) {
    return `${label(object)}: ${conflicts.map((c) => `${c.message ?? 'conflict'} (${c.field})`).join('; ')} — re-run with --force-conflicts to take these fields over`;
  }
  return `${label(object)}: ${status.message ?? (error as Error).message?.split('\n')[0]}`;
}

export async function applyTenant(core: Core, cluster: Cluster, options: ApplyOptions): Promise<ApplyResult> {
  if (!options.dryRun) await assertMayChange(core, 'apply');
  const emit = options.onEvent ?? ignoreEvents;
  const tenant = await loadTenant(core.config, options.tenant);
  assertParsed(tenant);

  // The vulnerability gate: no blocked image reaches a cluster without --force.
  const versions = versionsByImage((await core.store.read()).versions);
  const blocked = [...new Set(tenant.services.flatMap((s) => s.workloads.map((w) => w.image)))]
    .filter((image) => {
      const v = versions.get(image);
      return v !== undefined && isBlocked(v);
    })
    .map((image) => ({ name: tenant.services.find((s) => s.workloads.some((w) => w.image === image))!.name, image }));
  if (blocked.length && !options.force) {
    throw new UsageError(`Refusing to apply ${options.tenant}: ${blocked.map((s) => `${s.name} uses blocked image ${s.image}`).join('; ')}. Use --force to override (audited).`);
  }

  const api = objectApiClient(cluster.kc, cluster.requestTimeoutMs);
  const objects = objectsOf(tenant);
  const forced = new Set<KubernetesObject>();
  const applyOne = (object: KubernetesObject, dryRun: boolean) => serverSideApply(api, object, { dryRun, force: options.forceConflicts === true || forced.has(object), fieldManager: FIELD_MANAGER });
  const exists = async (object: KubernetesObject) => {
    try {
      return await api.read({ apiVersion: object.apiVersion!, kind: object.kind!, metadata: { name: object.metadata!.name!, namespace: object.metadata?.namespace } });
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw toClusterError(cluster, `Reading ${label(object)}`, error);
    }
  };

  emit({ step: 'apply', status: 'start', message: `checking ${counted(objects.length, 'object')} with a server-side dry run on ${cluster.description}`, tenant: options.tenant });
  const problems: string[] = [];
  const planned: AppliedObject[] = [];
  for (const object of objects) {
    const before = await exists(object);
    try {
      const after = await applyOne(object, true).catch((error: unknown) => {
        if (!onlyOwnConflicts(error)) throw error;
        forced.add(object);
        return applyOne(object, true);
      });
      const result = !before ? 'created' : desiredState(before) === desiredState(after) ? 'unchanged' : 'configured';
      planned.push({ kind: object.kind!, name: object.metadata!.name!, namespace: object.metadata?.namespace, result });
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === undefined || code >= 500) throw toClusterError(cluster, `Applying ${label(object)}`, error);
      problems.push(refusal(object, error));
    }
  }
  if (problems.length) {
    throw new ApplyRefusedError(
      `Nothing was applied to ${options.tenant}: ${counted(problems.length, 'object')} ${problems.length === 1 ? 'was' : 'were'} refused.\n${problems.map((p) => `  ${p}`).join('\n')}`,
      problems,
    );
  }
  if (!options.dryRun) {
    for (const [index, object] of objects.entries()) {
      try {
        await applyOne(object, false);
      } catch (error) {
        const failure = toClusterError(cluster, `Applying ${label(object)}`, error);
        // A refusal of the first object changed nothing; anything else may have: say so, exit 1.
        if (index === 0 && statusCodeOf(error) !== undefined) throw failure;
        await core.audit.append({
          actor: await core.actor(),
          action: 'apply.partial',
          target: options.tenant,
          details: { cluster: cluster.description, applied: objects.slice(0, index).map(label), failedAt: label(object), error: failure.message, reason: options.reason ?? null },
        });
        throw new PartlyAppliedError(
          `Apply of ${options.tenant} stopped at ${label(object)} after ${index} of ${counted(objects.length, 'object')} ${index === 1 ? 'was' : 'were'} applied (that one may have been too): ${failure.message}; the cluster holds part of the change — run \`ecp apply ${options.tenant}\` again to finish it.`,
        );
      }
      emit({ step: 'apply', status: 'info', message: `applied ${label(object)}`, tenant: options.tenant });
    }
  }
  emit({ step: 'apply', status: 'done', message: `${options.dryRun ? 'dry run: ' : ''}${counted(planned.length, 'object')} applied`, tenant: options.tenant });
  const result = { tenant: options.tenant, dryRun: options.dryRun === true, objects: planned, forced: options.force ? blocked.map((s) => s.image) : [] };
  if (!options.dryRun) {
    await core.audit.append({
      actor: await core.actor(),
      action: result.forced.length ? 'apply.force' : 'apply',
      target: options.tenant,
      details: { cluster: cluster.description, objects: planned.length, forcedImages: result.forced, forceConflicts: options.forceConflicts === true, reason: options.reason ?? null },
    });
  }
  return result;
}
