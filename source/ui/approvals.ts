/**
 * The console's deploys and updates into a namespace that needs an approval (issue 8). Before the
 * run, the pipeline looks for an approval of exactly what it would write (pipeline/approval-lookup):
 * an approved one is passed to the run (`approvalId`; the gate checks it again, as for
 * `--approval`), a pending one stops the run without asking again. Without either the run goes
 * ahead and the gate records a new request, which the log shows as an outcome, not as an error.
 */
import type { Core } from '../core.js';
import { imagesAsTags } from '../domain/approvals.js';
import type { Approval } from '../domain/types.js';
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

/**
 * The approval to pass to the run (`approvalId`), or the pending one it would wait for again
 * (`pending`), or neither (no approval needed, or none recorded for these images).
 */
export async function approvalForRun(core: Core, run: GatedRun, log: StepLog, now = Date.now()): Promise<{ approvalId?: string; pending?: Approval }> {
  const { approvalForRun: lookUp } = await import('../pipeline/approval-lookup.js');
  const { approved, pending, images } = await lookUp(core, { action: run.action, tenantId: run.tenant.id, services: run.services, service: run.service, build: run.build }, now);
  if (approved) {
    log.step('approval', `approval ${approved.id} (approved by ${approved.decidedBy}) covers ${imagesAsTags(images ?? approved.images)}`, 'ok');
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
