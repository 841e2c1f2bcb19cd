/** Approvals beyond the specification: list, approve, reject (as `ecp approvals | approve | reject`). */
import { decideApproval, type Decision } from '../../pipeline/approval-decision.js';
import { listApprovals } from '../../pipeline/approval-queries.js';
import { toWire } from '../api-shape.js';
import type { RouteModule } from '../app.js';
import { notFound } from '../http-errors.js';
import { approvalIdParam, decisionBody, flagQuery, object } from '../schemas.js';

const BASE = '/api/v1/image-management/approvals';
const params = object({ approval_id: approvalIdParam }, ['approval_id']);

export const approvalRoutes: RouteModule = (app) => {
  app.get<{ Querystring: { all?: string } }>(
    BASE,
    { config: { access: 'read', summary: 'Pending approvals, newest first (all=true: decided and expired ones too)' }, schema: { querystring: object({ all: flagQuery }) } },
    async (request) => {
      const approvals = await listApprovals(request.core, { all: request.query.all === 'true' });
      return { count: approvals.length, approvals: toWire(approvals) };
    },
  );

  const decide = (decision: Decision, verb: string, summary: string) =>
    app.post<{ Params: { approval_id: string }; Body: { reason?: string } }>(
      `${BASE}/:approval_id/${verb}`,
      {
        config: { access: 'approve', summary },
        schema: { params, body: decisionBody(decision === 'rejected') },
        // `curl -X POST …/approve` with no body approves without a reason.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const { approval_id } = request.params;
        const known = await listApprovals(request.core, { all: true });
        if (!known.some((a) => a.id === approval_id)) throw notFound(`No approval has the id "${approval_id}".`);
        const { approval } = await decideApproval(request.core, approval_id, decision, request.body?.reason);
        return toWire(approval);
      },
    );
  decide('approved', 'approve', 'Approve a pending deploy or manifest update (not your own)');
  decide('rejected', 'reject', 'Reject a pending approval, with a reason');
};
