/** Approvals for protected namespaces (issue 8): pure rules over plain records. */
import { tagOf } from './names.js';
import { matchesAny } from './patterns.js';
import type { Approval } from './types.js';

export interface ApprovalRequest {
  action: Approval['action'];
  tenantId: string;
  /** The namespaces the change touches that need an approval, as one label ("a, b"). */
  namespace: string;
  /** service → image the command would write. */
  images: Record<string, string>;
}

export function needsApproval(namespace: string, patterns: readonly string[]): boolean {
  return matchesAny(namespace, patterns);
}

/**
 * The namespaces among those a change touches (read from its objects, never from the tenant
 * folder's name) that match `patterns`, sorted: empty when the change needs no approval, no
 * typed confirmation, and is not protected from auto-rollback.
 */
export function protectedNamespaces(touched: Iterable<string>, patterns: readonly string[]): string[] {
  return [...new Set(touched)].filter((ns) => matchesAny(ns, patterns)).sort();
}

export function isExpired(approval: Approval, now: number, ttlMs: number): boolean {
  return now - Date.parse(approval.requestedAt) > ttlMs;
}

const sameImages = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = Object.keys(a).sort();
  return JSON.stringify(keys) === JSON.stringify(Object.keys(b).sort()) && keys.every((k) => a[k] === b[k]);
};

/** Why an approval does not cover a request, or undefined when it does. */
export function approvalProblem(approval: Approval | undefined, id: string, request: ApprovalRequest, now: number, ttlMs: number): string | undefined {
  if (!approval) return `No approval has the id "${id}".`;
  if (approval.status === 'pending') return `Approval ${id} is still pending: an approver must run \`ecp approve ${id}\` first.`;
  if (approval.status === 'rejected') return `Approval ${id} was rejected by ${approval.decidedBy}${approval.reason ? ` (${approval.reason})` : ''}.`;
  if (isExpired(approval, now, ttlMs)) return `Approval ${id} has expired (requested ${approval.requestedAt}); request a new one.`;
  if (approval.action !== request.action) return `Approval ${id} is for ${approval.action}, not ${request.action}.`;
  if (approval.tenantId !== request.tenantId) return `Approval ${id} is for tenant ${approval.tenantId}, not ${request.tenantId}.`;
  if (!sameImages(approval.images, request.images)) {
    const describe = (images: Record<string, string>) =>
      Object.entries(images)
        .map(([s, i]) => `${s}=${i}`)
        .join(', ') || 'nothing';
    return `Approval ${id} covers ${describe(approval.images)}, but this run would write ${describe(request.images)}.`;
  }
  return undefined;
}

/** Why `actor` may not decide on the approval, or undefined. */
export function decisionProblem(approval: Approval | undefined, id: string, actor: string, now: number, ttlMs: number): string | undefined {
  if (!approval) return `No approval has the id "${id}".`;
  if (approval.status !== 'pending') return `Approval ${id} was already ${approval.status} by ${approval.decidedBy}.`;
  if (isExpired(approval, now, ttlMs)) return `Approval ${id} has expired (requested ${approval.requestedAt}).`;
  if (approval.requestedBy === actor) return `${actor} requested approval ${id} and cannot approve or reject it; another approver must.`;
  return undefined;
}

/** What an approval shows as: its status, or `expired` for a pending one past the time-to-live. */
export type ShownApprovalStatus = Approval['status'] | 'expired';

export function shownStatus(approval: Approval, ttlMs: number, now: number): ShownApprovalStatus {
  return approval.status === 'pending' && isExpired(approval, now, ttlMs) ? 'expired' : approval.status;
}

/** The images of an approval as `service=tag` words (the CLI's IMAGES column, the console's). */
export function imagesAsTags(images: Record<string, string>): string {
  return Object.entries(images)
    .map(([service, image]) => `${service}=${tagOf(image)}`)
    .join(' ');
}

/** Pending and not expired: still waiting for an approver. */
export const isOpen = (approval: Approval, ttlMs: number, now: number): boolean => shownStatus(approval, ttlMs, now) === 'pending';
