/**
 * Deciding on an approval (issue 8): what `ecp approve` / `ecp reject` and the console's approvals
 * view both run — the same checks (role, reason, not one's own, pending, not expired), the same
 * change to the store and the same audit event.
 */
import type { Core } from '../core.js';
import { approvalProblem, decisionProblem, isOpen, type ApprovalRequest } from '../domain/approvals.js';
import { hasRole } from '../domain/roles.js';
import type { Approval } from '../domain/types.js';
import { UsageError } from '../errors.js';
import { assertMayChange } from './policy.js';

export type Decision = 'approved' | 'rejected';

/** The command's name in refusals, as the CLI spells it. */
const verb = (decision: Decision) => (decision === 'approved' ? 'approve' : 'reject');

/** Why `actor` may not decide at all (role), or undefined. */
export function approverProblem(core: Pick<Core, 'config'>, actor: string, decision: Decision): string | undefined {
  if (hasRole(actor, 'approver', core.config)) return undefined;
  return `"${verb(decision)}" needs the approver role: ${actor} is not listed in approvers in ${core.config.configFile ?? 'ecp.config.yaml'}.`;
}

/**
 * Why `actor` may not decide on approval `id` now (role, not pending, expired, their own), or
 * undefined: the console asks this before it asks for a confirmation or a reason.
 */
export function decideProblem(core: Pick<Core, 'config'>, approvals: readonly Approval[], id: string, actor: string, decision: Decision, now = Date.now()): string | undefined {
  return (
    approverProblem(core, actor, decision) ??
    decisionProblem(
      approvals.find((a) => a.id === id),
      id,
      actor,
      now,
      core.config.approvalTtlMs,
    )
  );
}

/**
 * Approves or rejects approval `id` as the current actor: checked again under the store's lock,
 * recorded (decidedBy, decidedAt, reason) and audited (`approval.approve` / `approval.reject`).
 * A refusal is a UsageError with one sentence.
 */
export async function decideApproval(core: Core, id: string, decision: Decision, reason?: string): Promise<{ approval: Approval; actor: string }> {
  if (decision === 'rejected' && !reason?.trim()) throw new UsageError('A rejection needs a reason: pass --reason "...".');
  const actor = await assertMayChange(core, verb(decision), 'approver');
  const approval = await core.store.update((data, unit) => {
    const found = data.approvals.find((a) => a.id === id);
    const problem = decisionProblem(found, id, actor, Date.now(), core.config.approvalTtlMs);
    if (problem) throw new UsageError(problem);
    found!.status = decision;
    found!.decidedBy = actor;
    found!.decidedAt = new Date().toISOString();
    if (reason) found!.reason = reason;
    unit.audit({
      actor,
      action: decision === 'approved' ? 'approval.approve' : 'approval.reject',
      target: id,
      details: { tenant: found!.tenantId, images: found!.images, reason: reason ?? null },
    });
    return { ...found! };
  });
  return { approval, actor };
}

/**
 * Approvals recorded for exactly this request (action, tenant, images), newest first: the approved
 * one that covers it (the gate checks it again when it is passed), and a pending one still open.
 */
export function approvalsFor(approvals: readonly Approval[], request: ApprovalRequest, ttlMs: number, now = Date.now()): { approved?: Approval; pending?: Approval } {
  const newestFirst = [...approvals].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  const approved = newestFirst.find((a) => a.status === 'approved' && approvalProblem(a, a.id, request, now, ttlMs) === undefined);
  // A pending approval covers the request once approved: the same checks, as if it were.
  const pending = newestFirst.find((a) => isOpen(a, ttlMs, now) && approvalProblem({ ...a, status: 'approved' }, a.id, request, now, ttlMs) === undefined);
  return { approved, pending };
}
