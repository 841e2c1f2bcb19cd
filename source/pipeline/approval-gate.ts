/**
 * The approval gate (issue 8): a deploy or manifest update into a namespace matching
 * `requireApproval` needs an approved, unexpired approval for the same tenant, services and
 * images. Without one, a pending approval is recorded and the run stops (exit 3).
 */
import { randomUUID } from 'node:crypto';
import type { Core } from '../core.js';
import { approvalProblem, needsApproval, type ApprovalRequest } from '../domain/approvals.js';
import type { Approval } from '../domain/types.js';
import { EcpError, UsageError } from '../errors.js';

export const APPROVAL_PENDING_EXIT = 3;

export class ApprovalPendingError extends EcpError {
  constructor(readonly approval: Approval) {
    super(
      `${approval.action} of ${approval.tenantId} needs an approval (namespace ${approval.namespace}): approval ${approval.id} is pending. ` +
        `An approver other than ${approval.requestedBy} runs \`ecp approve ${approval.id}\`; then re-run with --approval ${approval.id}.`,
      APPROVAL_PENDING_EXIT,
    );
  }
}

/** Returns the approval used (or undefined when none is needed); throws when the run must stop. */
export async function passApprovalGate(core: Core, request: ApprovalRequest, approvalId: string | undefined): Promise<Approval | undefined> {
  if (!needsApproval(request.namespace, core.config.requireApproval)) return undefined;
  if (Object.keys(request.images).length === 0) return undefined; // nothing would change
  const actor = await core.actor();
  if (approvalId) {
    const approval = (await core.store.read()).approvals.find((a) => a.id === approvalId);
    const problem = approvalProblem(approval, approvalId, request, Date.now(), core.config.approvalTtlMs);
    if (problem) throw new UsageError(problem);
    await core.audit.append({ actor, action: 'approval.used', target: approvalId, details: { ...request } });
    return approval;
  }
  const approval: Approval = {
    id: `apr-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`,
    ...request,
    requestedBy: actor,
    requestedAt: new Date().toISOString(),
    status: 'pending',
  };
  await core.store.update((data, unit) => {
    data.approvals.push(approval);
    unit.audit({ actor, action: 'approval.request', target: approval.id, details: { ...request } });
  });
  throw new ApprovalPendingError(approval);
}
