import { describe, expect, it } from 'vitest';
import { approvalProblem, decisionProblem, needsApproval } from '../../source/domain/approvals.js';
import type { Approval } from '../../source/domain/types.js';

const day = 86_400_000;
const approval = (over: Partial<Approval> = {}): Approval => ({
  id: 'apr-1',
  action: 'deploy',
  tenantId: 'acme-prod',
  namespace: 'acme-prod',
  images: { callbot: 'localhost:5000/ecp-ai/callbot:v2' },
  requestedBy: 'ops@example.test',
  requestedAt: '2026-11-26T00:00:00Z',
  status: 'approved',
  decidedBy: 'lead@example.test',
  ...over,
});
const request = { action: 'deploy' as const, tenantId: 'acme-prod', namespace: 'acme-prod', images: { callbot: 'localhost:5000/ecp-ai/callbot:v2' } };
const now = Date.parse('2026-11-26T06:00:00Z');

describe('approvals', () => {
  it('are needed for namespaces matching the patterns', () => {
    expect(needsApproval('acme-prod', ['*prod*'])).toBe(true);
    expect(needsApproval('test-download', ['*prod*'])).toBe(false);
  });
  it('cover a request only when approved, unexpired and for the same tenant, action and images', () => {
    expect(approvalProblem(approval(), 'apr-1', request, now, day)).toBeUndefined();
    expect(approvalProblem(undefined, 'apr-9', request, now, day)).toMatch(/No approval has the id "apr-9"/);
    expect(approvalProblem(approval({ status: 'pending' }), 'apr-1', request, now, day)).toMatch(/still pending/);
    expect(approvalProblem(approval({ status: 'rejected', reason: 'not today' }), 'apr-1', request, now, day)).toMatch(/rejected by lead@example.test \(not today\)/);
    expect(approvalProblem(approval(), 'apr-1', request, now + 2 * day, day)).toMatch(/has expired/);
    expect(approvalProblem(approval(), 'apr-1', { ...request, tenantId: 'beta-prod' }, now, day)).toMatch(/for tenant acme-prod, not beta-prod/);
    expect(approvalProblem(approval(), 'apr-1', { ...request, images: { callbot: 'localhost:5000/ecp-ai/callbot:v3' } }, now, day)).toMatch(
      /covers callbot=.*:v2, but this run would write callbot=.*:v3/,
    );
    expect(approvalProblem(approval(), 'apr-1', { ...request, images: { ...request.images, chatbot: 'x:1' } }, now, day)).toMatch(/but this run would write/);
  });
  it('cannot be decided by the requester, twice, or after expiry', () => {
    const pending = approval({ status: 'pending', decidedBy: undefined });
    expect(decisionProblem(pending, 'apr-1', 'lead@example.test', now, day)).toBeUndefined();
    expect(decisionProblem(pending, 'apr-1', 'ops@example.test', now, day)).toMatch(/requested approval apr-1 and cannot approve/);
    expect(decisionProblem(approval(), 'apr-1', 'lead@example.test', now, day)).toMatch(/already approved/);
    expect(decisionProblem(pending, 'apr-1', 'lead@example.test', now + 2 * day, day)).toMatch(/expired/);
  });
});
