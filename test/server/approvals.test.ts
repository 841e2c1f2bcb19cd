/**
 * Issue 17: approvals through `ecp serve` — listed, approved and rejected by an approver token,
 * recorded with the token's identity, refused when already decided — as `ecp approve` does.
 */
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { ApprovalPendingError } from '../../source/pipeline/approval-gate.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { assertCleanError } from './state.js';
import { serverWorld, type ServerWorld } from './world.js';

const V = '/api/v1/image-management';
let w: ServerWorld;

/** A manifest update of acme-prod (a *prod* namespace) by the repo's operator: it stops pending. */
async function pendingApproval(tag: string): Promise<string> {
  await w.s.release(`callbot:${tag}`);
  const stopped = await updateManifests(w.s.core, { tenant: 'acme-prod', service: 'callbot', tag, skipRegistryCheck: true }).catch((e: unknown) => e);
  expect(stopped).toBeInstanceOf(ApprovalPendingError);
  return (stopped as ApprovalPendingError).approval.id;
}

beforeAll(async () => {
  w = await serverWorld({ config: "requireApproval: ['*prod*']\n" });
});
afterAll(async () => {
  await w?.stop();
});

describe('approvals through ecp serve (issue 17)', () => {
  it('lists pending ones, approves with the approver token as the decider, and refuses a second decision', async () => {
    const id = await pendingApproval('v5.0.0-approve');
    const listed = await w.call('GET', `${V}/approvals`, { role: 'reader' });
    expect(listed.status).toBe(200);
    expect(listed.body.approvals).toEqual([expect.objectContaining({ id, status: 'pending', tenant_id: 'acme-prod', requested_by: 'operator@example.test' })]);

    const approved = await w.call('POST', `${V}/approvals/${id}/approve`, { role: 'approver' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, status: 'approved', decided_by: 'lead@example.com' });
    expect((await w.s.core.audit.list()).at(-1)).toMatchObject({ actor: 'lead@example.com', action: 'approval.approve', target: id });

    const again = await w.call('POST', `${V}/approvals/${id}/reject`, { role: 'approver', body: { reason: 'too late' } });
    expect(again.status).toBe(409);
    assertCleanError(again);
    expect((await w.call('GET', `${V}/approvals`, { role: 'reader' })).body.approvals).toEqual([]);
    expect((await w.call('GET', `${V}/approvals?all=true`, { role: 'reader' })).body.approvals.map((a: { id: string }) => a.id)).toContain(id);
  });

  it('rejects with a reason, and needs one', async () => {
    const id = await pendingApproval('v5.0.1-reject');
    const bare = await w.call('POST', `${V}/approvals/${id}/reject`, { role: 'approver' });
    expect(bare.status).toBe(422);
    expect(bare.body.message).toBe('The body is missing the field "reason".');
    const rejected = await w.call('POST', `${V}/approvals/${id}/reject`, { role: 'approver', body: { reason: 'not this week' } });
    expect(rejected.body).toMatchObject({ id, status: 'rejected', decided_by: 'lead@example.com', reason: 'not this week' });
  });
});
