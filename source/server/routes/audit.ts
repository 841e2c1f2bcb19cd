/** The audit trail beyond the specification: its events, and the check of its hash chain. */
import { toWire } from '../api-shape.js';
import type { RouteModule } from '../app.js';
import { limitQuery, object } from '../schemas.js';

const BASE = '/api/v1/image-management/audit';

export const auditRoutes: RouteModule = (app) => {
  app.get<{ Querystring: { limit?: string } }>(
    BASE,
    { config: { access: 'read', summary: 'The audit trail, newest last (limit 50 unless given)' }, schema: { querystring: object({ limit: limitQuery }) } },
    async (request) => {
      const events = await request.core.audit.list(Number(request.query.limit ?? 50));
      return { count: events.length, events: toWire(events) };
    },
  );

  app.get(`${BASE}/verify`, { config: { access: 'read', summary: 'Check the hash chain of the audit trail (ok false names the first broken line)' } }, async (request) =>
    toWire({ file: request.core.audit.where, ...(await request.core.audit.verify()) }),
  );
};
