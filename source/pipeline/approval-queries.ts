/**
 * Reading approvals: pending first, with the status a reader sees (expired once past the TTL).
 * `ecp approvals` still does this itself; it should call `listApprovals` (noted for its owner).
 */
import type { Core } from '../core.js';
import { shownStatus, type ShownApprovalStatus } from '../domain/approvals.js';
import type { Approval } from '../domain/types.js';

export type ShownApproval = Omit<Approval, 'status'> & { status: ShownApprovalStatus };

/** Pending approvals, newest first; `all`: decided and expired ones too. */
export async function listApprovals(core: Pick<Core, 'store' | 'config'>, options: { all?: boolean } = {}, now = Date.now()): Promise<ShownApproval[]> {
  return (await core.store.read()).approvals
    .map((a) => ({ ...a, status: shownStatus(a, core.config.approvalTtlMs, now) }))
    .filter((a) => options.all || a.status === 'pending')
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
}
