/**
 * The console's deploys and updates into a namespace that needs an approval (issue 8). Before the
 * run, the console works out what it would write — as the pipeline plans it, without writing —
 * and looks in the store for an approval of exactly that: an approved one is passed to the run
 * (`approvalId`; the gate checks it again, as for `--approval`), a pending one stops the run
 * without asking again. Without either the run goes ahead and the gate records a new request,
 * which the log shows as an outcome, not as an error.
 */
import type { Core } from '../core.js';
import { isExpired, needsApproval } from '../domain/approvals.js';
import type { Approval } from '../domain/types.js';
import { approvalsFor, imagesAsTags } from '../pipeline/approval-decision.js';
import { formatDuration } from '../domain/duration.js';
import type { ActionOutcome, StepLog } from './actions.js';
import type { TenantView } from './model/state.js';

export interface GatedRun {
  action: Approval['action'];
  tenant: TenantView;
  /** deploy: the services it deploys; update-manifests: the one service, or every one. */
  services?: string[];
  service?: string;
  /** deploy: it builds first (the images are then the tags the build will make). */
  build?: boolean;
  /** The key that runs it again, for the log's hint ("d", "U"). */
  key: string;
}

/** service → image the run would write, planned as the pipeline plans it (a dry run; no registry check). */
async function plannedImages(core: Core, run: GatedRun): Promise<Record<string, string>> {
  const { updateManifests } = await import('../pipeline/update-manifests.js');
  const plan = { tenant: run.tenant.id, dryRun: true, skipRegistryCheck: true } as const;
  if (run.action === 'update-manifests') {
    const result = await updateManifests(core, { ...plan, service: run.service });
    return Object.fromEntries(result.changes.map((c) => [c.service, c.to]));
  }
  const services = run.services ?? run.tenant.rows.map((r) => r.service);
  let targets: { service: string; tag?: string }[] = services.map((service) => ({ service }));
  if (run.build) {
    // As buildServices tags them: the tag policy over git HEAD.
    const [{ headFacts }, { imageTag }] = await Promise.all([import('../adapters/git.js'), import('../domain/image-tag.js')]);
    const facts = await headFacts(core.config.baseDir);
    const now = new Date();
    targets = services.map((service) => ({ service, tag: imageTag(facts, { policy: core.config.tagPolicy, template: core.config.tagTemplate, service, now }) }));
  }
  const images: Record<string, string> = {};
  for (const target of targets) {
    for (const c of (await updateManifests(core, { ...plan, ...target, approval: 'gated-by-caller' })).changes) images[c.service] = c.to;
  }
  return images;
}

/**
 * The approval to pass to the run (`approvalId`), or the pending one it would wait for again
 * (`pending`), or neither (no approval needed, or none recorded for these images).
 */
export async function approvalForRun(core: Core, run: GatedRun, log: StepLog, now = Date.now()): Promise<{ approvalId?: string; pending?: Approval }> {
  if (!needsApproval(run.tenant.namespace, core.config.requireApproval)) return {};
  const ttl = core.config.approvalTtlMs;
  const recorded = (await core.store.read()).approvals.filter(
    (a) => a.tenantId === run.tenant.id && a.action === run.action && (a.status === 'approved' || a.status === 'pending') && !isExpired(a, now, ttl),
  );
  if (recorded.length === 0) return {};
  let images: Record<string, string>;
  try {
    images = await plannedImages(core, run);
  } catch {
    return {}; // the run itself says what is wrong with it
  }
  if (Object.keys(images).length === 0) return {};
  const { approved, pending } = approvalsFor(recorded, { action: run.action, tenantId: run.tenant.id, namespace: run.tenant.namespace, images }, ttl, now);
  if (approved) {
    log.step('approval', `approval ${approved.id} (approved by ${approved.decidedBy}) covers ${imagesAsTags(images)}`, 'ok');
    return { approvalId: approved.id };
  }
  return pending ? { pending } : {};
}

/** What the log says to do next (a step of its own: the log shows no output under a finished step). */
function next(approval: Approval, run: GatedRun, log: StepLog): void {
  log.step('next', `next: an approver other than ${approval.requestedBy} approves it (a, then y); then ${run.key} again`, 'info');
}

/** The run stopped at the gate: a new approval was requested. An outcome, not an error. */
export function approvalRequested(approval: Approval, run: GatedRun, log: StepLog): ActionOutcome {
  log.step('approval', `approval ${approval.id} requested for ${imagesAsTags(approval.images)} (namespace ${approval.namespace} needs one)`, 'warn');
  next(approval, run, log);
  return { ok: false, waiting: true, summary: `approval ${approval.id} requested; an approver approves it with \`a\`, then ${run.key} again` };
}

/** An approval for exactly this run is already pending: nothing is started, nothing asked again. */
export function approvalStillPending(approval: Approval, run: GatedRun, log: StepLog, now = Date.now()): ActionOutcome {
  const age = formatDuration(Math.max(0, now - Date.parse(approval.requestedAt)));
  log.step('approval', `approval ${approval.id} for ${imagesAsTags(approval.images)} is still pending (requested by ${approval.requestedBy} ${age} ago); nothing was started`, 'warn');
  next(approval, run, log);
  return { ok: false, waiting: true, summary: `approval ${approval.id} is still pending; an approver approves it with \`a\`, then ${run.key} again` };
}

/** The approval a run stopped for, when it stopped at the approval gate. */
export async function pendingApprovalOf(error: unknown): Promise<Approval | undefined> {
  const { ApprovalPendingError } = await import('../pipeline/approval-gate.js');
  return error instanceof ApprovalPendingError ? error.approval : undefined;
}
