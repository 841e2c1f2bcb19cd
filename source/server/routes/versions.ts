/** The specification's versions API: register, list, status update. */
import { parseRegisterBody, type StatusChange } from '../../domain/versions.js';
import { findVersion, listVersions } from '../../pipeline/version-queries.js';
import { changeVersionStatus } from '../../pipeline/versions.js';
import { toWire } from '../api-shape.js';
import type { RouteModule } from '../app.js';
import { notFound } from '../http-errors.js';
import { flagQuery, label, limitQuery, object, registerBody, statusBody, versionIdParam } from '../schemas.js';

const BASE = '/api/v1/image-management/versions';

export const versionRoutes: RouteModule = (app, ctx) => {
  app.post(`${BASE}/register`, { config: { access: 'operate', success: 201, summary: 'Register a built image as a new version' }, schema: { body: registerBody } }, async (request, reply) => {
    const version = await ctx.registrations.register(request.core, request.principal!.identity, parseRegisterBody(request.body));
    return reply.code(201).send(toWire(version));
  });

  app.get<{ Params: { service_name: string }; Querystring: { limit?: string; all?: string } }>(
    `${BASE}/:service_name`,
    {
      config: { access: 'read', summary: 'The versions of a service, newest first (limit 10 unless given; all=true: archived ones too)' },
      schema: { params: object({ service_name: label }, ['service_name']), querystring: object({ limit: limitQuery, all: flagQuery }) },
    },
    async (request) => {
      const { service_name } = request.params;
      const all = request.query.all === 'true';
      const limit = request.query.limit === undefined ? (all ? undefined : 10) : Number(request.query.limit);
      const versions = await listVersions(request.core, service_name, { limit, all });
      return { service_name, count: versions.length, versions: toWire(versions) };
    },
  );

  app.put<{ Params: { version_id: string }; Body: { status?: StatusChange['status']; security_scan_result?: StatusChange['securityScanResult']; vulnerabilities_count?: number } }>(
    `${BASE}/:version_id/status`,
    {
      config: { access: 'operate', summary: 'Change the status, scan result or vulnerability count of a version' },
      schema: { params: object({ version_id: versionIdParam }, ['version_id']), body: statusBody },
    },
    async (request) => {
      const { version_id } = request.params;
      if (!(await findVersion(request.core, version_id))) throw notFound(`No version has the id "${version_id}".`);
      const { status, security_scan_result, vulnerabilities_count } = request.body;
      const change: StatusChange = { status, securityScanResult: security_scan_result, vulnerabilitiesCount: vulnerabilities_count };
      for (const key of Object.keys(change) as (keyof StatusChange)[]) if (change[key] === undefined) delete change[key];
      const { after } = await changeVersionStatus(request.core, version_id, change);
      return toWire(after);
    },
  );
};
