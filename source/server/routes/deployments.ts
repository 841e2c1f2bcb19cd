/**
 * The specification's deployments API (health metrics, history, rollback) and, beyond it, the
 * drift and health of every tenant as `ecp --once --json` reports it.
 */
import { deploymentHealth, deploymentHistory, tenantServiceNames } from '../../pipeline/deployment-queries.js';
import { NoRollbackTargetError, rollback } from '../../pipeline/rollback.js';
import { findVersion } from '../../pipeline/version-queries.js';
import { toWire } from '../api-shape.js';
import type { RouteModule } from '../app.js';
import { HttpError, notFound } from '../http-errors.js';
import { label, limitQuery, object, rollbackBody } from '../schemas.js';

const BASE = '/api/v1/image-management/deployments';
const tenantParams = object({ tenant_id: label }, ['tenant_id']);

export const deploymentRoutes: RouteModule = (app, ctx) => {
  const knownTenant = async (core: Parameters<typeof tenantServiceNames>[0], tenant: string): Promise<string[]> => {
    const services = await tenantServiceNames(core, tenant);
    if (!services) throw notFound(`There is no tenant "${tenant}" in the manifests.`);
    return services;
  };

  app.get<{ Querystring: { tenant_id?: string } }>(
    `${BASE}/health`,
    { config: { access: 'read', summary: 'Deployment health metrics per tenant and service: success rate, time to ready, rollbacks' }, schema: { querystring: object({ tenant_id: label }) } },
    async (request) => ({ tenants: toWire(await deploymentHealth(request.core, request.query.tenant_id)) }),
  );

  app.get<{ Querystring: { tenant_id?: string } }>(
    `${BASE}/status`,
    { config: { access: 'read', summary: 'Drift, health and version state of every tenant × service (what `ecp --once --json` prints)' }, schema: { querystring: object({ tenant_id: label }) } },
    async (request) => {
      if (request.query.tenant_id) await knownTenant(request.core, request.query.tenant_id);
      return toWire(await ctx.live.report(request.query.tenant_id));
    },
  );

  app.get<{ Params: { tenant_id: string } }>(
    `${BASE}/:tenant_id/status`,
    { config: { access: 'read', summary: "Drift, health and version state of one tenant's services" }, schema: { params: tenantParams } },
    async (request) => {
      await knownTenant(request.core, request.params.tenant_id);
      return toWire(await ctx.live.report(request.params.tenant_id));
    },
  );

  app.get<{ Params: { tenant_id: string }; Querystring: { service_name?: string; limit?: string } }>(
    `${BASE}/:tenant_id/history`,
    {
      config: { access: 'read', summary: "A tenant's deploys and rollbacks, newest first (limit 20 unless given)" },
      schema: { params: tenantParams, querystring: object({ service_name: label, limit: limitQuery }) },
    },
    async (request) => {
      const { tenant_id } = request.params;
      await knownTenant(request.core, tenant_id);
      const { service_name } = request.query;
      const deployments = await deploymentHistory(request.core, tenant_id, { service: service_name, limit: Number(request.query.limit ?? 20) });
      return { tenant_id, service_name: service_name ?? null, count: deployments.length, deployments: toWire(deployments) };
    },
  );

  app.post<{ Params: { tenant_id: string; service_name: string }; Body: { reason: string; to_version_id?: string } }>(
    `${BASE}/:tenant_id/:service_name/rollback`,
    {
      config: { access: 'operate', summary: 'Roll a service back to the previous good version (manifest, git and cluster), as `ecp rollback` does' },
      schema: { params: object({ tenant_id: label, service_name: label }, ['tenant_id', 'service_name']), body: rollbackBody },
    },
    async (request) => {
      const { tenant_id, service_name } = request.params;
      if (!(await knownTenant(request.core, tenant_id)).includes(service_name)) throw notFound(`Tenant "${tenant_id}" has no service "${service_name}".`);
      const { to_version_id } = request.body;
      if (to_version_id && !(await findVersion(request.core, to_version_id))) throw notFound(`No version has the id "${to_version_id}".`);
      const cluster = ctx.live.cluster;
      if (!cluster) throw new HttpError(503, 'ecp serve has no cluster (start it with a kubeconfig, --context or --sandbox); a rollback needs one.');
      const result = await rollback(request.core, cluster.client, { tenant: tenant_id, service: service_name, reason: request.body.reason, toVersionId: to_version_id }).catch((error: unknown) => {
        // The API names a version in the body, not with the command line's --to.
        throw error instanceof NoRollbackTargetError ? new HttpError(409, `${error.sentence}; name one in to_version_id.`) : error;
      });
      return toWire({ tenantId: tenant_id, serviceName: service_name, ...result });
    },
  );
};
