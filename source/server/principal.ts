/**
 * Who is calling (issue 17): a bearer token, known to the config by its sha256 only, names an
 * identity and a role. The token itself is never stored, logged or compared as text.
 */
import { createHash } from 'node:crypto';
import type { ServerRole, ServerToken } from '../config.js';

export interface Principal {
  identity: string;
  role: ServerRole;
}

/** What a route needs: nothing (public), a reader, an operator, or an approver. */
export type Access = 'public' | 'read' | 'operate' | 'approve';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function tokenTable(tokens: readonly ServerToken[]): Map<string, Principal> {
  return new Map(tokens.map((t) => [t.sha256, { identity: t.identity, role: t.role }]));
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Every role reads; operators run the pipeline; approvers decide on approvals. */
export function mayAccess(role: ServerRole, access: Access): boolean {
  if (access === 'public' || access === 'read') return true;
  return access === 'operate' ? role === 'operator' : role === 'approver';
}
