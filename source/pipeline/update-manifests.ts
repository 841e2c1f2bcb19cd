/**
 * `update-manifests` as a function over adapters and the store (DESIGN §2, §9; issues 3 and 4):
 * choose each service's target version, refuse unregistered or blocked tags (unless forced),
 * check the images exist in the registry, rewrite only the image values, and write every file
 * or none. Returns the plan and what was done; emits progress events; never prints.
 */
import { createTwoFilesPatch } from 'diff';
import { PartialWriteError, writeAllOrNothing, type FileOps } from '../adapters/atomic-files.js';
import {
  assertParsed,
  buildDocuments,
  imageNode,
  listTenantIds,
  loadTenant,
  readBackImages,
  rememberWritten,
  withScalarEdits,
  type ImageEdit,
  type ManifestFile,
  type ManifestService,
  type ScalarEdit,
  type Tenant,
} from '../adapters/manifests.js';
import { kustomizationImageEdits, readImageEntry, type ImageTarget } from '../adapters/kustomize.js';
import { RegistryUnansweredError, manifestDigest as registryManifestDigest } from '../adapters/registry.js';
import type { Core } from '../core.js';
import { fieldOf, imageWithTag, serviceRepositoryOf, type WorkloadKind } from '../domain/manifest-model.js';
import { applyEdits, changedLines, decideTarget, renderLike, type TargetDecision, type TextEdit } from '../domain/manifest-update.js';
import { dns1123Problem, dockerTagProblem, parseImageRef } from '../domain/names.js';
import type { Approval, ImageVersion } from '../domain/types.js';
import { UsageError } from '../errors.js';
import { approvalRequestOf, passApprovalGate, type GateRequest } from './approval-gate.js';
import { assertMayChange } from './policy.js';
import { auditFailedChoice } from './versions.js';
import { mapLimit } from './concurrency.js';
import { ignoreEvents, type EventSink } from './events.js';
import { counted } from '../domain/words.js';

export interface UpdateManifestsOptions {
  tenant: string;
  service?: string;
  tag?: string;
  versionId?: string;
  dryRun?: boolean;
  /** An approved approval, for a tenant whose namespace needs one. */
  approvalId?: string;
  /** The caller (deploy, rollback) applies its own approval rule. */
  approval?: 'gated-by-caller';
  /** Write unregistered or blocked tags (audited). */
  force?: boolean;
  /** The operator's reason, recorded with --force / --skip-registry-check. */
  reason?: string;
  skipRegistryCheck?: boolean;
  /**
   * A registry that gives no answer (unreachable, timeout, 5xx): 'refuse' (default, deploys of
   * new versions) or 'warn' (a rollback to an image that ran before: written, with the warning
   * in the result). A registry that answers 404 is refused either way.
   */
  unansweredRegistry?: 'refuse' | 'warn';
  onEvent?: EventSink;
  /**
   * The dry run just before this write reported the plan (deploy, rollback): its reading,
   * planning and registry-check lines are not said again, only the write's.
   */
  planReported?: boolean;
  /** Replaceable registry lookup (tests, benchmark). */
  manifestDigest?: (registry: string, repository: string, tag: string) => Promise<string | undefined>;
  /** Replaceable file operations (tests). */
  fileOps?: FileOps;
  /** How to show a path in messages (default: as is). */
  display?: (absPath: string) => string;
}

/** A workload that moves with its service's change. */
export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

/** Where a change is written: a file and its changed lines. */
export interface FileLines {
  /** Path relative to the manifests folder. */
  file: string;
  path: string;
  /** Lines of the image values changed. */
  lines: number[];
}

export interface ServiceChange {
  service: string;
  /** The first workload's namespace (the service's). */
  namespace: string;
  /** Every workload of the service in the tenant: one change moves them all. */
  workloads: WorkloadRef[];
  /** The files and lines written, in file order. */
  files: FileLines[];
  from: string;
  to: string;
  fromTag?: string;
  toTag: string;
  versionId?: string;
  /** Why this target needed --force. */
  forced?: string;
  /** A failed version named explicitly: written with this warning, audited. */
  failedChoice?: string;
  /** Digest the registry reported for the new image. */
  registryDigest?: string;
}

export interface FileDiff {
  path: string;
  file: string;
  diff: string;
}

export interface UpdateManifestsResult {
  tenant: string;
  dryRun: boolean;
  changes: ServiceChange[];
  unchanged: { service: string; image: string }[];
  skipped: { service: string; reason: string }[];
  /** Refusals overridden by --force. */
  forced: string[];
  registryCheck: 'passed' | 'skipped' | 'unanswered' | 'not-needed';
  /** Why the registry check could not be made ('unanswered'): for the record and the audit. */
  registryWarning?: string;
  /** Unified diffs (dry run only). */
  diffs: FileDiff[];
  written: boolean;
}

function checkInputs(options: UpdateOptions): void {
  const problem = (options.service !== undefined ? dns1123Problem('Service name', options.service) : undefined) ?? (options.tag !== undefined ? dockerTagProblem(options.tag) : undefined);
  if (problem) throw new UsageError(problem);
  if (options.tag !== undefined && options.versionId !== undefined) {
    throw new UsageError('Give --tag or --version, not both.');
  }
}

/** The services the update is about, with a clear error for a name that is not one. */
function selectServices(tenant: Tenant, name: string | undefined, display: (p: string) => string): ManifestService[] {
  if (name === undefined) return tenant.services;
  const services = tenant.services.filter((s) => s.name === name);
  if (services.length > 0) return services;
  const known = tenant.services.map((s) => s.name).join(', ') || 'none';
  const workload = tenant.workloads.find((w) => w.name === name);
  if (workload) {
    const images = workload.containers.map((c) => c.image ?? '(none)').join(', ') || 'none';
    throw new UsageError(
      `Tenant "${tenant.id}" has no service "${name}": ${workload.kind} ${name} (${display(workload.path)}:${workload.line}) runs the images ${images}, none of them ${name}'s (the tenant's services: ${known}); nothing was changed.`,
    );
  }
  throw new UsageError(`Tenant "${tenant.id}" has no service "${name}" (its services: ${known}; in ${display(tenant.dir)}).`);
}

async function resolveVersion(core: Core, id: string, tenant: Tenant, service: string | undefined): Promise<ImageVersion> {
  const found = await core.store.findVersion(id);
  if (!found) throw new UsageError(`No version has the id "${id}".`);
  const version = found.version;
  if (service !== undefined && version.serviceName !== service) {
    throw new UsageError(`Version ${id} is a version of ${version.serviceName}, not of ${service}.`);
  }
  const repository = serviceRepositoryOf(core.config, version.serviceName);
  if (parseImageRef(version.fullImageName).repository !== repository) {
    throw new UsageError(`Version ${id} is the image ${version.fullImageName}, which is not in ${repository} where tenant ${tenant.id}'s manifests expect ${version.serviceName}.`);
  }
  return version;
}

/**
 * What the tenants of one update share: the store's versions, and each service's target once
 * decided (it does not depend on the tenant: one request, one set of versions).
 */
interface Targets {
  hot: ImageVersion[];
  decided: Map<string, TargetDecision>;
}

async function decide(core: Core, tenant: Tenant, services: ManifestService[], options: UpdateOptions, targets: Targets) {
  const decisions = new Map<string, TargetDecision>();
  let version: ImageVersion | undefined;
  if (options.versionId !== undefined) {
    version = await resolveVersion(core, options.versionId, tenant, options.service);
    services = services.filter((s) => s.name === version!.serviceName);
    if (services.length === 0) {
      throw new UsageError(`Tenant "${tenant.id}" has no service ${version.serviceName} to take version ${version.id}.`);
    }
  }
  for (const name of new Set(services.map((s) => s.name))) {
    let decision = targets.decided.get(name);
    if (!decision) {
      let candidates = targets.hot.filter((v) => v.serviceName === name);
      if (options.tag !== undefined && !candidates.some((v) => v.imageTag === options.tag)) {
        candidates = await core.store.allVersions(name);
      }
      const request = version ? ({ mode: 'version', version } as const) : options.tag !== undefined ? ({ mode: 'tag', tag: options.tag } as const) : ({ mode: 'newest-ready' } as const);
      decision = decideTarget(name, request, candidates);
      targets.decided.set(name, decision);
    }
    decisions.set(name, decision);
  }
  return { decisions, services };
}

interface Prepared {
  changes: ServiceChange[];
  unchanged: { service: string; image: string }[];
  texts: Map<ManifestFile, string>;
  edits: Map<ManifestFile, ScalarEdit[]>;
  /** The new texts parsed, of the files whose edits were found in the text (readBackImages). */
  readBack: Map<ManifestFile, ManifestFile>;
}

/** Computes the new text of every file touched; nothing is written. */
function prepare(tenant: Tenant, services: ManifestService[], decisions: Map<string, TargetDecision>, display: (p: string) => string): Prepared {
  if (tenant.kustomize) return prepareOverlay(tenant, services, decisions, display);
  const first = prepareFiles(tenant, services, decisions, display);
  if (first.unconfirmed.length === 0) return first;
  // An image found in the text that the new text does not read back as: the Documents decide for that file.
  for (const file of first.unconfirmed) buildDocuments(file);
  return prepareFiles(tenant, services, decisions, display);
}

function prepareFiles(tenant: Tenant, services: ManifestService[], decisions: Map<string, TargetDecision>, display: (p: string) => string): Prepared & { unconfirmed: ManifestFile[] } {
  const edits = new Map<ManifestFile, (ImageEdit & { inText?: true })[]>();
  const changes: ServiceChange[] = [];
  const unchanged: { service: string; image: string }[] = [];
  const fileOf = new Map(tenant.files.map((f) => [f.path, f]));
  for (const service of services) {
    const decision = decisions.get(service.name)!;
    if (decision.tag === undefined) continue;
    const written = new Map<string, FileLines>();
    let to = '';
    for (const workload of service.workloads) {
      const file = fileOf.get(workload.path)!;
      const document = file.documents[workload.documentIndex]!;
      for (const container of workload.own) {
        const ref = parseImageRef(container.image!);
        const pinned = ref.digest && decision.version?.digest ? decision.version.digest : undefined;
        const next = imageWithTag(ref.repository, decision.tag, pinned);
        if (to === '') to = next;
        if (next === container.image) continue;
        const node = imageNode(file, document, container);
        if (!node.ok) {
          throw new UsageError(
            `${workload.kind} ${workload.name} (${display(file.path)}:${container.position?.line ?? workload.line}, ${fieldOf(container.imagePath)}) cannot be updated: ${node.reason}; nothing was changed.`,
          );
        }
        const list = edits.get(file) ?? [];
        list.push({ start: node.start, end: node.end, text: renderLike(node.type, next), documentIndex: workload.documentIndex, imagePath: container.imagePath, image: next, inText: node.inText });
        edits.set(file, list);
        const lines = written.get(file.path) ?? { file: file.file, path: file.path, lines: [] };
        lines.lines.push(node.line);
        lines.lines.sort((a, b) => a - b);
        written.set(file.path, lines);
      }
    }
    if (written.size === 0) {
      unchanged.push({ service: service.name, image: service.image });
      continue;
    }
    changes.push({
      service: service.name,
      namespace: service.namespace,
      workloads: service.workloads.map((w) => ({ kind: w.kind, name: w.name, namespace: w.namespace })),
      files: [...written.values()],
      from: service.image,
      to,
      fromTag: service.tag,
      toTag: decision.tag,
      versionId: decision.version?.id,
      forced: decision.refusal,
      failedChoice: decision.failedChoice,
    });
  }
  const texts = new Map<ManifestFile, string>();
  const readBack = new Map<ManifestFile, ManifestFile>();
  const unconfirmed: ManifestFile[] = [];
  for (const [file, list] of edits) {
    const after = applyEdits(file.text, list);
    if (list.some((e) => e.inText)) {
      const parsed = readBackImages(file, after, list);
      if (!parsed) unconfirmed.push(file);
      else readBack.set(file, parsed);
    }
    verifyEdit(file, after, list, display);
    texts.set(file, after);
  }
  return { changes, unchanged, texts, edits, readBack, unconfirmed };
}

/**
 * A Kustomize overlay's update: its own `images:` entries say the new tags (the base is never
 * edited); the rendered workloads of each service all move with its one entry.
 */
function prepareOverlay(tenant: Tenant, services: ManifestService[], decisions: Map<string, TargetDecision>, display: (p: string) => string): Prepared {
  const file = tenant.files[0]!;
  const document = file.documents[0]!;
  const changes: ServiceChange[] = [];
  const unchanged: { service: string; image: string }[] = [];
  const targets: (ImageTarget & { service: ManifestService; decision: TargetDecision; to: string })[] = [];
  for (const service of services) {
    const decision = decisions.get(service.name)!;
    if (decision.tag === undefined) continue;
    const ref = parseImageRef(service.image);
    const pinned = ref.digest ? decision.version?.digest : undefined;
    const to = imageWithTag(ref.repository, decision.tag, pinned);
    if (service.workloads.every((w) => w.own.every((c) => c.image === to))) {
      unchanged.push({ service: service.name, image: service.image });
      continue;
    }
    targets.push({ repository: ref.repository, tag: decision.tag, digest: decision.version?.digest, service, decision, to });
  }
  const texts = new Map<ManifestFile, string>();
  if (targets.length === 0) return { changes, unchanged, texts, edits: new Map(), readBack: new Map() };
  const planned = kustomizationImageEdits(file.text, document.doc, file.lineCounter, targets);
  if (!planned.ok) throw new UsageError(`The overlay ${display(file.path)} cannot be updated: ${planned.reason}; nothing was changed.`);
  const after = applyEdits(file.text, planned.edits);
  for (const t of targets) {
    // Read back: the overlay must now give the new tag (or digest), or nothing is written.
    const entry = readImageEntry(after, t.repository);
    const wanted = entry.digest !== undefined ? t.digest : t.tag;
    if ((entry.digest ?? entry.newTag) !== wanted) {
      throw new UsageError(`The image update of ${display(file.path)} would not give ${t.to} (its images: entry reads ${entry.digest ?? entry.newTag ?? 'nothing'}); nothing was changed.`);
    }
    changes.push({
      service: t.service.name,
      namespace: t.service.namespace,
      workloads: t.service.workloads.map((w) => ({ kind: w.kind, name: w.name, namespace: w.namespace })),
      files: [{ file: file.file, path: file.path, lines: entry.line === undefined ? [] : [entry.line] }],
      from: t.service.image,
      to: t.to,
      fromTag: t.service.tag,
      toTag: t.tag,
      versionId: t.decision.version?.id,
      forced: t.decision.refusal,
      failedChoice: t.decision.failedChoice,
    });
  }
  texts.set(file, after);
  return { changes, unchanged, texts, edits: new Map(), readBack: new Map() };
}

/**
 * A safety net: no line but the image lines changed. (That each new value reads back as itself
 * is renderLike's contract: plain only for [A-Za-z0-9_./:@+-], else quoted.)
 */
function verifyEdit(file: ManifestFile, after: string, edits: readonly TextEdit[], display: (p: string) => string): void {
  const lines = changedLines(file.text, after);
  if (!lines || lines.length > edits.length) {
    throw new UsageError(`The image update of ${display(file.path)} would change more than its image lines; nothing was changed.`);
  }
}

/** Checks every target image in the registry; returns a warning when the registry gave no answer and `unanswered` is 'warn'. */
async function checkRegistry(
  changes: ServiceChange[],
  lookup: NonNullable<UpdateManifestsOptions['manifestDigest']>,
  unanswered: NonNullable<UpdateManifestsOptions['unansweredRegistry']>,
  emit: EventSink,
): Promise<string | undefined> {
  const images = [...new Map(changes.map((c) => [c.to, c])).values()];
  const registries = [...new Set(images.map((c) => parseImageRef(c.to).registry))].join(', ');
  emit({ step: 'registry-check', status: 'start', message: `checking ${counted(images.length, 'image')} in registry ${registries}` });
  let warning: string | undefined;
  const digests = await mapLimit(images, 8, async (change) => {
    const ref = parseImageRef(change.to);
    let digest: string | undefined;
    try {
      digest = await lookup(ref.registry, ref.path, change.toTag);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
      if (unanswered === 'warn' && error instanceof RegistryUnansweredError) {
        warning = `${reason}: image ${change.to} was not checked`;
        return [change.to, ''] as const;
      }
      throw new UsageError(`${reason} while checking image ${change.to}; nothing was written (--skip-registry-check writes without the check, audited).`);
    }
    if (digest === undefined) {
      throw new UsageError(`Image ${change.to} does not exist in registry ${ref.registry}; nothing was written.`);
    }
    return [change.to, digest] as const;
  });
  const byImage = new Map(digests);
  for (const change of changes) change.registryDigest = byImage.get(change.to) || undefined;
  if (warning) emit({ step: 'registry-check', status: 'warn', message: warning });
  else emit({ step: 'registry-check', status: 'done', message: `${counted(images.length, 'image')} found in registry ${registries}` });
  return warning;
}

interface TenantPlan {
  tenant: Tenant;
  decisions: Map<string, TargetDecision>;
  prepared: Prepared;
}

/** Loads one tenant and prepares its new texts; nothing is written. */
async function planTenant(core: Core, id: string, options: UpdateOptions, targets: Targets, display: (p: string) => string, several: boolean): Promise<TenantPlan | undefined> {
  const tenant = await loadTenant(core.config, id);
  assertParsed(tenant, display);
  if (several && options.service !== undefined && !tenant.services.some((s) => s.name === options.service)) return undefined;
  const selected = selectServices(tenant, options.service, display);
  if (several && options.versionId !== undefined && !selected.length) return undefined;
  let decided;
  try {
    decided = await decide(core, tenant, selected, options, targets);
  } catch (error) {
    // With several tenants, one that does not run the version's service is simply not concerned.
    if (several && options.versionId !== undefined && error instanceof UsageError && /has no service/.test(error.message)) return undefined;
    throw error;
  }
  return { tenant, decisions: decided.decisions, prepared: prepare(tenant, decided.services, decided.decisions, display) };
}

export type UpdateOptions = Omit<UpdateManifestsOptions, 'tenant'>;

/** The gate's question for one tenant's planned changes: their images and the namespaces they touch. */
export function gateRequestOf(action: Approval['action'], tenantId: string, changes: readonly ServiceChange[]): GateRequest {
  return { action, tenantId, touched: changes.flatMap((c) => c.workloads.map((w) => w.namespace)), images: Object.fromEntries(changes.map((c) => [c.service, c.to])) };
}

/** Tenants whose changes touch namespaces that need an approval get one checked (or requested) before writing. */
async function passApprovalGates(core: Core, plans: readonly TenantPlan[], approvalId: string | undefined): Promise<void> {
  const gated = plans.filter((p) => approvalRequestOf(core, gateRequestOf('update-manifests', p.tenant.id, p.prepared.changes)));
  if (gated.length > 1) {
    throw new UsageError(`${gated.map((p) => p.tenant.id).join(', ')} need approvals (namespaces matching ${core.config.requireApproval.join(', ')}); update them one tenant at a time.`);
  }
  for (const plan of gated) await passApprovalGate(core, gateRequestOf('update-manifests', plan.tenant.id, plan.prepared.changes), approvalId);
}

/**
 * update-manifests over several tenants as one operation: one read of the store, one registry
 * check per distinct image, and every file of every tenant written or none. One audit event
 * per tenant. A tenant without the --service named is skipped (with one tenant, it is an error).
 */
/** The steps a dry run reports and its write, right after, would report again. */
const PLAN_STEPS = new Set(['load', 'plan', 'registry-check']);

export async function updateManyManifests(core: Core, ids: readonly string[], options: UpdateOptions): Promise<UpdateManifestsResult[]> {
  const sink = options.onEvent ?? ignoreEvents;
  const emit: EventSink = options.planReported
    ? (event) => {
        if (!PLAN_STEPS.has(event.step)) sink(event);
      }
    : sink;
  const display = options.display ?? ((p: string) => p);
  const dryRun = options.dryRun === true;
  checkInputs(options);
  if (!dryRun) await assertMayChange(core, 'update-manifests');
  if (ids.length === 0) throw new UsageError('No tenant to update.');
  const several = ids.length > 1;
  emit({ step: 'load', status: 'start', message: `reading ${several ? `${ids.length} tenants` : `tenant ${ids[0]}`}` });
  const targets: Targets = { hot: (await core.store.read()).versions, decided: new Map() };
  const plans: TenantPlan[] = [];
  for (const id of ids) {
    const plan = await planTenant(core, id, options, targets, display, several);
    if (plan) plans.push(plan);
  }
  if (several && plans.length === 0 && options.service !== undefined) {
    throw new UsageError(`None of the ${ids.length} tenants runs a service "${options.service}".`);
  }

  const changes = plans.flatMap((p) => p.prepared.changes);
  // Only a target that would really be written needs --force.
  const refusals = [...new Set(plans.flatMap((p) => p.prepared.changes.filter((c) => c.forced).map((c) => (several ? `${p.tenant.id}: ${c.forced}` : c.forced!))))];
  if (refusals.length > 0 && !options.force) {
    throw new UsageError(`Refusing to write: ${refusals.join('; ')}; nothing was written (--force overrides, audited).`);
  }
  let registryCheck: UpdateManifestsResult['registryCheck'] = 'not-needed';
  let registryWarning: string | undefined;
  if (changes.length > 0) {
    if (options.skipRegistryCheck) {
      registryCheck = 'skipped';
      emit({ step: 'registry-check', status: 'warn', message: 'registry check skipped (--skip-registry-check)' });
    } else {
      registryWarning = await checkRegistry(changes, options.manifestDigest ?? registryManifestDigest, options.unansweredRegistry ?? 'refuse', emit);
      registryCheck = registryWarning ? 'unanswered' : 'passed';
    }
  }

  for (const plan of plans) {
    for (const c of plan.prepared.changes) {
      if (c.failedChoice) emit({ step: 'plan', status: 'warn', message: `${several ? `${plan.tenant.id}/` : ''}${c.failedChoice}`, tenant: plan.tenant.id, service: c.service });
    }
  }
  const results = plans.map(({ tenant, decisions, prepared }): UpdateManifestsResult => {
    const skipped = [...decisions.values()].filter((d) => d.skip).map((d) => ({ service: d.service, reason: d.skip! }));
    for (const x of skipped) emit({ step: 'plan', status: 'warn', message: `${several ? `${tenant.id}/` : ''}${x.service}: ${x.reason}; left as is`, tenant: tenant.id, service: x.service });
    return {
      tenant: tenant.id,
      dryRun,
      changes: prepared.changes,
      unchanged: prepared.unchanged,
      skipped,
      forced: [...new Set(prepared.changes.filter((c) => c.forced).map((c) => c.forced!))],
      registryCheck: prepared.changes.length > 0 ? registryCheck : 'not-needed',
      registryWarning: prepared.changes.length > 0 ? registryWarning : undefined,
      diffs: [],
      written: false,
    };
  });
  if (dryRun) {
    plans.forEach(({ prepared }, i) => {
      for (const [file, after] of prepared.texts) {
        results[i]!.diffs.push({ path: file.path, file: file.file, diff: createTwoFilesPatch(`a/${file.file}`, `b/${file.file}`, file.text, after, undefined, undefined, { context: 3 }) });
      }
    });
    return results;
  }
  if (changes.length === 0) return results;
  if (options.approval !== 'gated-by-caller') await passApprovalGates(core, plans, options.approvalId);

  const texts = plans.flatMap((p) => [...p.prepared.texts]);
  const where = several ? `${plans.length} tenants` : `tenant ${plans[0]!.tenant.id}`;
  emit({ step: 'write', status: 'start', message: `writing ${counted(texts.length, 'file')}` });
  try {
    await writeAllOrNothing(
      texts.map(([file, after]) => ({ path: file.path, before: file.text, after })),
      options.fileOps,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PartialWriteError) throw new UsageError(reason);
    throw new UsageError(`Writing the manifests of ${where} failed (${reason}); every file was left as it was.`);
  }
  emit({ step: 'write', status: 'done', message: `${counted(texts.length, 'file')} written` });
  // What was written is known: keep its parsed form so the next read need not parse it again.
  for (const plan of plans) {
    for (const [file, after] of plan.prepared.texts) {
      const parsed = plan.prepared.readBack.get(file);
      const edits = plan.prepared.edits.get(file);
      if (parsed) rememberWritten(parsed);
      else if (edits) withScalarEdits(file, edits, after);
    }
  }

  const actor = await core.actor();
  for (const result of results) result.written = result.changes.length > 0;
  // One event per tenant: what changed, and the overrides used (--force with the refusals it
  // overrode, --skip-registry-check), with the operator's reason. One append for all of them.
  await core.audit.appendMany(
    results
      .map((result, i) => ({ result, tenant: plans[i]!.tenant.id }))
      .filter(({ result }) => result.written)
      .map(({ result, tenant }) => ({
        actor,
        action: 'manifests.update',
        target: tenant,
        details: {
          changes: result.changes.map((c) => ({ service: c.service, files: c.files.map((f) => f.file), from: c.from, to: c.to, versionId: c.versionId ?? null, forced: c.forced ?? null })),
          force: result.forced.length > 0 ? { refusals: result.forced } : null,
          registryCheck: result.registryCheck,
          registryWarning: result.registryWarning ?? null,
          reason: options.reason ?? null,
        },
      })),
  );
  for (const [i, plan] of plans.entries()) {
    for (const c of results[i]!.changes) {
      const version = plan.decisions.get(c.service)?.version;
      if (c.failedChoice && version) await auditFailedChoice(core, version, `${plan.tenant.id}/${c.service}`, options.reason);
    }
  }
  return results;
}

/** Every tenant of the manifests folder, for `--all`. */
export const allTenantIds = (config: Core['config']): Promise<string[]> => listTenantIds(config);

/** update-manifests for one tenant. */
export async function updateManifests(core: Core, options: UpdateManifestsOptions): Promise<UpdateManifestsResult> {
  const { tenant, ...rest } = options;
  const [result] = await updateManyManifests(core, [tenant], rest);
  return result!;
}
