/** Who may do what (issue 8): operators run the pipeline, approvers decide on approvals. */
export type Role = 'operator' | 'approver';

/** An empty list means everyone has the role. Entries are git user.emails or OS user names. */
export function hasRole(actor: string, role: Role, lists: { operators: readonly string[]; approvers: readonly string[] }): boolean {
  const list = role === 'operator' ? lists.operators : lists.approvers;
  return list.length === 0 || list.includes(actor);
}
