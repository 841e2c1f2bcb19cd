/**
 * `ecp deploy`: the original specification's pipeline as one run —
 * build → update manifests → validate → apply → wait for rollout → git tag. Each step emits
 * progress; the first step that fails stops the run naming the step. Manifests written by the
 * run are restored if a later step before apply fails, so no half-written manifest is left.
 */
import { readFile } from 'node:fs/promises';
import { loadTenant } from '../adapters/manifests.js';
import { writeAllOrNothing } from '../adapters/atomic-files.js';
import type { KubeClient } from '../adapters/kube.js';
import { manifestDigest as registryManifestDigest } from '../adapters/registry.js';
import type { ServiceBuildConfig } from '../config.js';
import type { Core } from '../core.js';
import type { DeploymentRecord } from '../domain/types.js';
import { EcpError, InterruptedError, UsageError, errorMessage } from '../errors.js';
import { PartlyAppliedError, applyTenant } from './apply.js';
import { ApprovalPendingError, passApprovalGate } from './approval-gate.js';
import { buildServices, type BuildResult } from './build.js';
import { buildTargets } from './build-targets.js';
import { ignoreEvents, type EventSink } from './events.js';
import { closeFailedRollout } from './failed-rollout.js';
import { closeRecord, openRecord } from './records.js';
import { waitForWorkloads } from './rollout.js';
import { tagDeployment } from './deploy-tag.js';
import { gateRequestOf, updateManifests, type ServiceChange } from './update-manifests.js';
import { validateManifests } from './validate.js';
import { holdingServices } from './exclusive.js';
import { assertMayChange } from './policy.js';
import { onceEach } from './once-each.js';
import { counted } from '../domain/words.js';

export const DEPLOY_STEPS = ['build', 'update-manifests', 'validate', 'apply', 'rollout', 'tag'] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

export interface DeployOptions {
  tenant: string;
  services?: string[];
  build?: boolean;
  /** Apply to the cluster and wait for the rollout; false stops after validation (GitOps). */
  apply?: boolean;
  timeoutMs?: number;
  force?: boolean;
  reason?: string;
  skipRegistryCheck?: boolean;
  /** An approved approval for a protected namespace. */
  approvalId?: string;
  /** Aborted (Ctrl-C): stop at the next safe point — before apply nothing is left changed; during the rollout wait the change stays, committed, its record open. */
  signal?: AbortSignal;
  onEvent?: EventSink;
}

export interface DeployResult {
  tenant: string;
  built: BuildResult[];
  changes: ServiceChange[];
  records: DeploymentRecord[];
  gitTag?: string;
  /** True when every rollout finished healthy (or nothing was applied). */
  ok: boolean;
}

/** A step failed: the message names it. Exit 1 for a failed build or rollout, 2 otherwise. */
export class DeployStepError extends EcpError {
  constructor(
    readonly step: DeployStep,
    message: string,
    exitCode: number,
    /** The apply stopped part-way: the cluster holds some of the change. */
    readonly partlyApplied = false,
  ) {
    super(`deploy stopped at step "${step}": ${message}`, exitCode);
  }
}

/** `failureOf`: what went wrong in a step that finished without throwing (a failed rollout), said instead of "done". */
async function step<T>(name: DeployStep, emit: EventSink, tenant: string, work: () => Promise<T>, failureOf?: (result: T) => string | undefined): Promise<T> {
  emit({ step: name, status: 'start', message: name, tenant });
  try {
    const result = await work();
    const failure = failureOf?.(result);
    emit(failure ? { step: name, status: 'warn', message: failure, tenant } : { step: name, status: 'done', message: `${name} done`, tenant });
    return result;
  } catch (error) {
    if (error instanceof DeployStepError || error instanceof ApprovalPendingError || error instanceof InterruptedError) throw error;
    const exitCode = error instanceof EcpError ? error.exitCode : 2;
    emit({ step: name, status: 'warn', message: `${name} failed: ${errorMessage(error)}`, tenant });
    throw new DeployStepError(name, errorMessage(error), exitCode, error instanceof PartlyAppliedError);
  }
}

/** The tenant's files as they are now, to put back if the run stops before apply. */
async function snapshotTenant(core: Core, tenant: string): Promise<Map<string, string>> {
  const loaded = await loadTenant(core.config, tenant);
  return new Map(await Promise.all(loaded.files.map(async (f) => [f.path, await readFile(f.path, 'utf8')] as const)));
}

/** Stops the run here when the operator asked it to (before apply: the manifests are restored by the caller). */
function stopIfInterrupted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new InterruptedError(`deploy interrupted ${where}; the manifests were restored and nothing was applied.`);
}

async function restoreTenant(before: Map<string, string>): Promise<void> {
  const changes = await Promise.all([...before].map(async ([path, text]) => ({ path, before: await readFile(path, 'utf8'), after: text })));
  await writeAllOrNothing(changes.filter((c) => c.before !== c.after));
}

/** A deploy, run as the one change of each service it touches (exclusive.ts). */
export async function deploy(core: Core, client: KubeClient | undefined, options: DeployOptions): Promise<DeployResult> {
  // Policy before anything is read, as every operation does.
  await assertMayChange(core, 'deploy');
  const services = options.services?.length ? options.services : (await loadTenant(core.config, options.tenant)).services.map((s) => s.name);
  return holdingServices(core, options.tenant, services, 'deploy', options.reason, () => deployHeld(core, client, options));
}

async function deployHeld(core: Core, client: KubeClient | undefined, options: DeployOptions): Promise<DeployResult> {
  await assertMayChange(core, 'deploy');
  const emit = options.onEvent ?? ignoreEvents;
  const apply = options.apply !== false;
  if (apply && !client) throw new UsageError('No cluster is configured: set KUBECONFIG, pass --context or --sandbox, or deploy with --no-apply.');
  const tenantModel = await loadTenant(core.config, options.tenant);
  const wanted = options.services?.length ? options.services : tenantModel.services.map((s) => s.name);
  for (const name of wanted) {
    if (!tenantModel.services.some((s) => s.name === name)) throw new UsageError(`Tenant "${options.tenant}" has no service "${name}".`);
  }

  let built: BuildResult[] = [];
  if (options.build !== false) {
    let buildable: ServiceBuildConfig[];
    try {
      buildable = buildTargets(core.config, wanted, false).services;
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`${error.message.replace(/\.$/, '')}; use --no-build to deploy registered versions.`);
      throw error;
    }
    built = await step('build', emit, options.tenant, async () => {
      const results = await buildServices(core, buildable, { push: true }, (e) =>
        emit({ step: 'build', status: e.step === 'failed' ? 'warn' : 'info', message: `${e.service}: ${e.message}`, tenant: options.tenant, service: e.service }),
      );
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length) throw new EcpError(`build failed for ${failed.map((f) => `${f.service} (${f.error})`).join(', ')}`, 1);
      return results;
    });
  }

  const before = await snapshotTenant(core, options.tenant);
  const manifestOptions = {
    tenant: options.tenant,
    approval: 'gated-by-caller' as const,
    force: options.force,
    reason: options.reason,
    skipRegistryCheck: options.skipRegistryCheck,
    // Asked once for the plan and the write.
    manifestDigest: onceEach(registryManifestDigest),
    onEvent: emit,
  };
  let changes: ServiceChange[] = [];
  try {
    changes = await step('update-manifests', emit, options.tenant, async () => {
      const targets = built.length ? built.map((b) => ({ service: b.service, tag: b.tag })) : wanted.map((service) => ({ service }));
      // Every service is planned (and refused) first; only then is anything written.
      const planned = [];
      for (const t of targets) planned.push(...(await updateManifests(core, { ...manifestOptions, ...t, dryRun: true })).changes);
      await passApprovalGate(core, gateRequestOf('deploy', options.tenant, planned), options.approvalId);
      const written = [];
      for (const t of targets) written.push(await updateManifests(core, { ...manifestOptions, ...t, planReported: true }));
      return written.flatMap((r) => r.changes);
    });
    stopIfInterrupted(options.signal, 'after update-manifests');
    await step('validate', emit, options.tenant, async () => {
      const result = await validateManifests(core, { tenant: options.tenant, offlineReason: 'deploy validates offline; apply runs a server-side dry run' });
      if (result.errors > 0) {
        const first = result.problems
          .filter((p) => p.severity === 'error')
          .slice(0, 3)
          .map((p) => `${p.object ?? p.path}: ${p.message}`);
        throw new EcpError(`${counted(result.errors, 'problem')}: ${first.join('; ')}`, 1);
      }
    });
    stopIfInterrupted(options.signal, 'before apply');
    if (apply) await step('apply', emit, options.tenant, () => applyTenant(core, client!.cluster, { tenant: options.tenant, force: options.force, reason: options.reason, onEvent: emit }));
  } catch (error) {
    // Part of the change is in the cluster: the manifests keep it, so git says what was sent.
    if (error instanceof DeployStepError && error.partlyApplied) {
      emit({ step: 'apply', status: 'info', message: 'manifests kept: they hold what was partly applied', tenant: options.tenant });
      throw error;
    }
    await restoreTenant(before);
    emit({ step: 'update-manifests', status: 'info', message: 'manifests restored to what they were before the deploy', tenant: options.tenant });
    throw error;
  }

  const actor = await core.actor();
  const recordOf = (c: (typeof changes)[number], reason: string | undefined) => ({
    tenantId: options.tenant,
    namespace: c.namespace,
    serviceName: c.service,
    fromImage: c.from,
    toImage: c.to,
    versionId: c.versionId,
    kind: 'deploy' as const,
    reason,
    actor,
  });
  const records: DeploymentRecord[] = [];
  let ok = true;
  const interrupted: string[] = [];
  const unwatched: string[] = [];
  if (apply) {
    const opened = await Promise.all(changes.map((c) => openRecord(core, recordOf(c, options.reason))));
    const outcomes = await step(
      'rollout',
      emit,
      options.tenant,
      () =>
        Promise.all(
          changes.map((c) => waitForWorkloads(client!, c.workloads, { timeoutMs: options.timeoutMs ?? 600_000, onEvent: emit, tenant: options.tenant, service: c.service, signal: options.signal })),
        ),
      (all) => {
        const services = (pick: (o: (typeof all)[number]) => boolean) => all.flatMap((o, i) => (pick(o) ? [changes[i]!.service] : []));
        const failed = services((o) => !o.ok && !o.interrupted && !o.unknown);
        const stopped = services((o) => !o.ok && o.interrupted === true);
        const unknown = services((o) => !o.ok && o.unknown === true);
        const said = [
          failed.length ? `rollout failed: ${failed.join(', ')} did not become healthy` : '',
          stopped.length ? `rollout wait interrupted: ${stopped.join(', ')} still rolling out` : '',
          unknown.length ? `rollout not known: the API server could not be read while ${unknown.join(', ')} rolled out` : '',
        ];
        return said.filter(Boolean).join('; ') || undefined;
      },
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok && (outcome.interrupted || outcome.unknown)) {
        // Undecided: the rollout goes on in the cluster; the monitor settles the record.
        (outcome.interrupted ? interrupted : unwatched).push(changes[i]!.service);
        records.push(opened[i]!);
        continue;
      }
      const closed = outcome.ok
        ? await closeRecord(core, opened[i]!.id, { status: 'succeeded' })
        : await closeFailedRollout(core, client!, { recordId: opened[i]!.id, workloads: changes[i]!.workloads, reason: outcome.reason, tenant: options.tenant }, emit);
      records.push(closed!);
      if (!outcome.ok) {
        ok = false;
        emit({ step: 'rollout', status: 'warn', message: `${changes[i]!.service}: ${outcome.reason}`, tenant: options.tenant, service: changes[i]!.service });
      }
    }
  } else {
    for (const c of changes) records.push(await openRecord(core, recordOf(c, options.reason ?? 'manifests only (--no-apply)'), 'pending'));
  }

  // Applied but not seen through: not failed, not done — the command says so and exits 1.
  if (unwatched.length) ok = false;
  const gitTag = await step('tag', emit, options.tenant, async () =>
    changes.length
      ? (await tagDeployment(core, { tenant: options.tenant, message: `deploy ${options.tenant}${ok ? '' : unwatched.length ? ' (rollout not seen through)' : ' (rollout failed)'}` })).tag
      : undefined,
  );
  await core.audit.append({
    actor,
    action: 'deploy.run',
    target: options.tenant,
    details: { changes: changes.map((c) => ({ service: c.service, from: c.from, to: c.to })), ok, gitTag: gitTag ?? null, applied: apply, interrupted, unwatched },
  });
  if (interrupted.length) {
    throw new InterruptedError(
      `deploy interrupted while waiting for the rollout of ${interrupted.join(', ')}: the change is applied and committed${gitTag ? ` (git tag ${gitTag})` : ''}; the rollout goes on in the cluster and the monitor settles its record (ecp --once shows how it stands).`,
    );
  }
  return { tenant: options.tenant, built, changes, records, gitTag, ok };
}
