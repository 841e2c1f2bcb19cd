/**
 * The approval gate (issue 8): a deploy or manifest update that touches a namespace matching
 * `requireApproval` (the namespaces of the objects it changes) needs an approved, unexpired
 * approval for the same action, tenant, services and images. Without one, a pending approval
 * is recorded and the run stops (exit 3).
 */
import { randomUUID } from 'node:crypto';
import type { Core } from '../core.js';
import { approvalProblem, protectedNamespaces, type ApprovalRequest } from '../domain/approvals.js';
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

/** What a change asks the gate about: the namespaces it touches, not the tenant's name. */
export type GateRequest = Omit<ApprovalRequest, 'namespace'> & { touched: Iterable<string> };

/** The request as an approval records it, or undefined when no touched namespace needs one. */
export function approvalRequestOf(core: Pick<Core, 'config'>, { touched, ...rest }: GateRequest): ApprovalRequest | undefined {
  const gated = protectedNamespaces(touched, core.config.requireApproval);
  if (gated.length === 0 || Object.keys(rest.images).length === 0) return undefined; // nothing gated would change
  return { ...rest, namespace: gated.join(', ') };
}

/** Returns the approval used (or undefined when none is needed); throws when the run must stop. */
export async function passApprovalGate(core: Core, gate: GateRequest, approvalId: string | undefined): Promise<Approval | undefined> {
  const request = approvalRequestOf(core, gate);
  if (!request) return undefined;
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
