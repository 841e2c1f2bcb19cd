/**
 * Rollback (issue 6): back to what ran, healthy, before the current image — in the manifest
 * (with a git commit and tag) and in every live workload that runs the service (Deployments and
 * StatefulSets; issue 20) — then wait for their rollouts and record it. The manifest change is checked with a dry run first, the cluster is patched with the
 * resourceVersion read before (a concurrent change is re-read, never overwritten blindly), and
 * only then is the manifest written.
 */
import { findService, loadTenant } from '../adapters/manifests.js';
import { statusCodeOf, toClusterError, type KubeClient } from '../adapters/kube.js';
import { manifestDigest } from '../adapters/registry.js';
import type { Core } from '../core.js';
import { podsOf, type LiveStatefulSet } from '../domain/health.js';
import type { LiveDeployment, LivePod } from '../domain/kube-types.js';
import { dns1123Problem, parseImageRef } from '../domain/names.js';
import { rollbackChoiceProblem } from '../domain/rollback.js';
import { needsApproval } from '../domain/approvals.js';
import { liveServiceContainers, liveServiceImage, versionsByImage } from '../domain/status.js';
import type { DeploymentKind, DeploymentRecord } from '../domain/types.js';
import { EcpError, errorMessage, InterruptedError, UsageError } from '../errors.js';
import { ignoreEvents, type EventSink } from './events.js';
import { closeFailedRollout } from './failed-rollout.js';
import { closeRecord, openRecord } from './records.js';
import { waitForWorkloads, type RolloutTarget } from './rollout.js';
import { tagDeployment } from './deploy-tag.js';
import { updateManifests, type WorkloadRef } from './update-manifests.js';
import { holdingServices } from './exclusive.js';
import { assertMayChange } from './policy.js';
import { defaultRollbackTarget } from './rollback-target.js';
import { markVersionFailed } from './versions.js';
import { onceEach } from './once-each.js';

export interface RollbackOptions {
  tenant: string;
  service: string;
  /** A version id to go to instead of the previous good image. */
  toVersionId?: string;
  reason: string;
  kind?: Extract<DeploymentKind, 'rollback' | 'auto-rollback'>;
  /** Roll back to a blocked version (audited). */
  force?: boolean;
  /** Write the target even if the registry says it does not have it (404); audited with the reason. */
  skipRegistryCheck?: boolean;
  timeoutMs?: number;
  /** Aborted (Ctrl-C): before the cluster is patched nothing is changed; during the rollout wait the rollback stays, committed, its record open. */
  signal?: AbortSignal;
  onEvent?: EventSink;
}

/**
 * No version was named and there is no default target. The message says how to name one on the
 * command line; `sentence` is without that, for an entry point that names versions otherwise.
 */
export class NoRollbackTargetError extends UsageError {
  constructor(readonly sentence: string) {
    super(`${sentence}; choose one with --to ID.`);
  }
}

export interface RollbackResult {
  record: DeploymentRecord;
  from?: string;
  to: string;
  gitTag?: string;
  ok: boolean;
  message?: string;
  /** What went on despite a problem (a registry that did not answer): also on the record and the audit event. */
  warnings: string[];
}

const MAX_CONFLICT_RETRIES = 5;

/** A rollback, run as the one change of its tenant/service (exclusive.ts). */
export function rollback(core: Core, client: KubeClient, options: RollbackOptions): Promise<RollbackResult> {
  return holdingServices(core, options.tenant, [options.service], options.kind ?? 'rollback', options.reason, () => rollbackHeld(core, client, options));
}

async function rollbackHeld(core: Core, client: KubeClient, options: RollbackOptions): Promise<RollbackResult> {
  const emit = options.onEvent ?? ignoreEvents;
  const kind = options.kind ?? 'rollback';
  await assertMayChange(core, kind);
  const problem = dns1123Problem('Tenant', options.tenant) ?? dns1123Problem('Service', options.service);
  if (problem) throw new UsageError(problem);
  if (!options.reason.trim()) throw new UsageError('A rollback needs a reason: pass --reason "...".');

  const tenant = await loadTenant(core.config, options.tenant);
  const service = findService(tenant, options.service);
  if (!service) throw new UsageError(`Tenant "${options.tenant}" has no service "${options.service}".`);
  const lives = await Promise.all(service.workloads.map(async (w) => ({ workload: w, object: await client.readWorkload(w.kind, w.namespace, w.name) })));
  const absent = lives.find((l) => !l.object);
  if (absent) {
    const w = absent.workload;
    throw new UsageError(`${w.kind} ${w.namespace}/${w.name} is not in the cluster (${client.cluster.description}); there is nothing live to roll back.`);
  }
  const liveImages = lives.map((l) => liveServiceImage(l.object as LiveDeployment, service.repository, service.name));
  // The service's live image, what it rolls back from: its first workload's.
  const liveImage = liveImages[0];

  const data = await core.store.read();
  let target: string;
  let versionId: string | undefined;
  if (options.toVersionId) {
    const found = await core.store.findVersion(options.toVersionId);
    if (!found) throw new UsageError(`No version has the id "${options.toVersionId}".`);
    if (found.version.serviceName !== service.name) throw new UsageError(`Version ${options.toVersionId} is a version of ${found.version.serviceName}, not of ${service.name}.`);
    const refused = rollbackChoiceProblem(found.version, liveImage, options.force);
    if (refused) throw new UsageError(refused);
    target = found.version.fullImageName;
    versionId = found.version.id;
  } else {
    const chosen = await defaultRollbackTarget(core, tenant.id, service.name, liveImage, { client, workloads: service.workloads });
    if ('none' in chosen) throw new NoRollbackTargetError(`No earlier good version of ${tenant.id}/${service.name} to roll back to: ${chosen.none}`);
    target = chosen.image;
    versionId = chosen.versionId;
  }
  if (liveImages.every((image) => image === target)) throw new UsageError(`${tenant.id}/${service.name} already runs ${target}.`);
  const targetRef = parseImageRef(target);
  if (targetRef.repository !== service.repository || !targetRef.tag) {
    throw new UsageError(`Rollback target ${target} is not a tagged image of ${service.repository}.`);
  }
  const registered = versionsByImage(data.versions).has(target) || (await core.store.allVersions(service.name)).some((v) => v.fullImageName === target);
  const manifestOptions = {
    tenant: tenant.id,
    service: service.name,
    tag: targetRef.tag,
    // Rollback is the emergency path: no approval, but a reason, audited (issue 8).
    approval: 'gated-by-caller' as const,
    // A previously running image may predate version tracking; blocked ones were excluded above.
    force: options.force === true || !registered,
    reason: `${kind}: ${options.reason}`,
    skipRegistryCheck: options.skipRegistryCheck,
    // The emergency path: a registry that does not answer is a warning, a 404 is still refused.
    unansweredRegistry: 'warn' as const,
    // Asked once for the dry run and the write (a registry that does not answer costs its timeout once).
    manifestDigest: onceEach(manifestDigest),
    onEvent: emit,
  };
  emit({ step: 'rollback', status: 'start', message: `${service.name}: ${liveImage ?? '(none)'} → ${target}`, tenant: tenant.id, service: service.name });
  const planned = await updateManifests(core, { ...manifestOptions, dryRun: true });
  const warnings = planned.registryWarning ? [planned.registryWarning] : [];
  if (options.signal?.aborted) throw new InterruptedError('rollback interrupted before it changed anything; nothing was changed.');

  const actor = await core.actor();
  const record = await openRecord(
    core,
    {
      tenantId: tenant.id,
      namespace: service.namespace,
      serviceName: service.name,
      fromImage: liveImage,
      toImage: target,
      versionId,
      kind,
      reason: options.reason,
      actor,
      ...(warnings.length ? { warnings } : {}),
    },
    'progressing',
    (opened) => ({
      actor,
      action: kind === 'auto-rollback' ? 'deploy.auto-rollback' : 'deploy.rollback',
      target: `${tenant.id}/${service.name}`,
      details: {
        from: liveImage ?? null,
        to: target,
        reason: options.reason,
        record: opened.id,
        forced: options.force === true,
        registryCheck: planned.registryCheck,
        warnings,
        // Rollback is the emergency path: in a namespace that needs approvals it goes without one.
        withoutApproval: service.workloads.some((w) => needsApproval(w.namespace, core.config.requireApproval)),
      },
    }),
  );

  // Every workload that does not run the target yet is patched, each checked against what was read.
  const targets: RolloutTarget[] = [];
  try {
    for (const [i, { workload }] of lives.entries()) {
      const ref = { kind: workload.kind, namespace: workload.namespace, name: workload.name };
      const minGeneration = liveImages[i] === target ? 0 : await patchWithRetry(client, ref, service.repository, service.name, liveImages[i], target, emit);
      targets.push({ ...ref, minGeneration });
    }
  } catch (error) {
    // The record and its audit event are written: close it, so nothing stays "progressing" that
    // never will; exit 1, for the history changed (and a patch without an answer may have landed).
    const said = `the rollback was not applied${targets.length ? ` beyond ${targets.map((t) => t.name).join(', ')}` : ''}: ${errorMessage(error)}`;
    await closeRecord(core, record.id, { status: 'failed', message: said });
    if (error instanceof UsageError && targets.length === 0) throw error; // refused before any patch: its own sentence
    throw new EcpError(`Rollback of ${service.name} in ${tenant.id} failed: ${said} (record ${record.id}).`, 1);
  }
  // What it rolled back from is failed from now on, here and everywhere it could be chosen.
  if (liveImage) {
    await markVersionFailed(core, liveImage, {
      tenantId: tenant.id,
      namespace: service.namespace,
      cause: kind === 'auto-rollback' ? 'auto-rolled-back' : 'rolled-back',
      reason: options.reason,
      recordId: record.id,
    });
  }
  await updateManifests(core, { ...manifestOptions, planReported: true });
  let gitTag: string | undefined;
  try {
    gitTag = (await tagDeployment(core, { tenant: tenant.id, message: `${kind} of ${service.name}: ${options.reason}` })).tag;
  } catch (error) {
    emit({ step: 'tag', status: 'warn', message: `git commit/tag failed: ${(error as Error).message}`, tenant: tenant.id });
  }
  for (const [i, rolled] of targets.entries()) {
    const rolledBackFrom = liveImages[i];
    if (rolled.kind === 'StatefulSet' && rolledBackFrom && rolledBackFrom !== target) await deleteStuckPods(client, rolled, service.repository, rolledBackFrom, emit);
  }
  const outcome = await waitForWorkloads(client, targets, { timeoutMs: options.timeoutMs ?? 600_000, onEvent: emit, tenant: tenant.id, service: service.name, signal: options.signal });
  if (!outcome.ok && outcome.interrupted) {
    throw new InterruptedError(
      `rollback interrupted while waiting for its rollout: ${service.name} is patched to ${target} and the manifest committed${gitTag ? ` (git tag ${gitTag})` : ''}; the rollout goes on in the cluster and the monitor settles record ${record.id}.`,
    );
  }
  if (!outcome.ok && outcome.unknown) {
    // Applied and committed, but not seen through: neither done nor failed (exit 1, not 2: things changed).
    throw new EcpError(
      `rollback of ${service.name} applied but not seen through: ${outcome.reason}; it is patched to ${target} and the manifest committed${gitTag ? ` (git tag ${gitTag})` : ''}, and the monitor settles record ${record.id} (ecp --once shows how it stands).`,
      1,
    );
  }
  const closed = (
    outcome.ok
      ? await closeRecord(core, record.id, { status: 'succeeded', gitTag })
      : await closeFailedRollout(core, client, { recordId: record.id, workloads: targets, reason: outcome.reason, gitTag, tenant: tenant.id }, emit)
  )!;
  emit({
    step: 'rollback',
    status: outcome.ok ? 'done' : 'warn',
    message: outcome.ok ? `${service.name} rolled back to ${target}` : `${service.name}: rollback to ${target} did not become healthy: ${outcome.reason}`,
    tenant: tenant.id,
    service: service.name,
  });
  return { record: closed, from: liveImage, to: target, gitTag, ok: outcome.ok, message: outcome.ok ? undefined : outcome.reason, warnings };
}

/**
 * A StatefulSet (OrderedReady) never replaces a pod that is not Ready: after its template is
 * rolled back, the pods still trying the image rolled back from must be deleted, or the rollout
 * waits for them forever (Kubernetes' "forced rollback", as its StatefulSet docs prescribe).
 */
async function deleteStuckPods(client: KubeClient, target: RolloutTarget, repository: string, badImage: string, emit: EventSink): Promise<void> {
  const { namespace, name } = target;
  // Only once the controller has seen the rolled-back template, or it recreates them as they were.
  let sts: LiveStatefulSet | undefined;
  for (let i = 0; i < 100; i += 1) {
    sts = (await client.readWorkload('StatefulSet', namespace, name)) as LiveStatefulSet | undefined;
    if (!sts || (sts.status?.observedGeneration ?? 0) >= (target.minGeneration ?? 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!sts) return;
  const pods = podsOf(sts, ((await client.listPods(namespace)) ?? []) as LivePod[]);
  for (const pod of pods) {
    const runsBad = (pod.spec?.containers ?? []).some((c) => c.image === badImage && parseImageRef(c.image).repository === repository);
    const ready = (pod.status?.containerStatuses ?? []).length > 0 && (pod.status?.containerStatuses ?? []).every((c) => c.ready);
    if (!runsBad || ready) continue;
    await client.deletePod(namespace, pod.metadata?.name ?? '');
    emit({ step: 'rollback', status: 'info', message: `deleted pod ${pod.metadata?.name}, stuck on ${badImage}, so that StatefulSet ${name} can roll back` });
  }
}

/**
 * Patches the service container's image in one workload with the resourceVersion just read. On
 * 409 it re-reads: if the image is still the one being rolled back from, it retries with the new
 * resourceVersion; if someone changed the image meanwhile, it stops rather than overwrite their
 * change.
 */
async function patchWithRetry(client: KubeClient, workload: WorkloadRef, repository: string, service: string, expectedImage: string | undefined, target: string, emit: EventSink): Promise<number> {
  const { kind, namespace, name } = workload;
  for (let attempt = 1; ; attempt += 1) {
    const live = (await client.readWorkload(kind, namespace, name)) as LiveDeployment | undefined;
    if (!live) throw new UsageError(`${kind} ${namespace}/${name} disappeared during the rollback; nothing was changed.`);
    const current = liveServiceImage(live, repository, service);
    if (current !== expectedImage) {
      throw new UsageError(
        `${kind} ${namespace}/${name} changed during the rollback (now ${current ?? 'no image'}, was ${expectedImage ?? 'no image'}); nothing was overwritten — look, then run the rollback again.`,
      );
    }
    // Every container of the service's image, init containers too, as update-manifests writes them.
    const own = liveServiceContainers(live, repository);
    const containers = own.length > 0 ? own.map(({ list, name: container }) => ({ list, name: container })) : (live.spec?.template?.spec?.containers?.find((c) => c.image === current)?.name ?? name);
    try {
      const patched = await client.setContainerImage(namespace, name, containers, target, live.metadata?.resourceVersion ?? '', kind);
      return patched.metadata?.generation ?? 0;
    } catch (error) {
      if (statusCodeOf(error) !== 409 || attempt >= MAX_CONFLICT_RETRIES) throw toClusterError(client.cluster, `Patching ${kind} ${namespace}/${name}`, error);
      emit({ step: 'rollback', status: 'info', message: `${name} changed since it was read (409); reading it again`, service });
    }
  }
}
