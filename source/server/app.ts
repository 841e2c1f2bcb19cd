/**
 * `ecp serve`'s HTTP application (issue 17, DESIGN §10): an entry point like commands/ and ui/.
 * Each request is authenticated by its bearer token, validated by its route's schema, turned
 * into one pipeline call and rendered as snake_case JSON. It decides nothing itself.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Core } from '../core.js';
import { errorMessage } from '../errors.js';
import { withCachedReads } from '../core.js';
import { errorBody, toErrorBody } from './http-errors.js';
import { LiveStatus, type LiveCluster } from './live-status.js';
import { bearerToken, mayAccess, sha256Hex, tokenTable, type Access, type Principal } from './principal.js';
import { RegisterQueue } from './register-queue.js';
import { requestCore } from './request-core.js';
import { routeCatalog, type RouteEntry } from './openapi.js';
import { object } from './schemas.js';
import { approvalRoutes } from './routes/approvals.js';
import { auditRoutes } from './routes/audit.js';
import { deploymentRoutes } from './routes/deployments.js';
import { healthRoutes } from './routes/health.js';
import { statusRoutes } from './routes/status.js';
import { versionRoutes } from './routes/versions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route names it (unknown paths count as `read`). */
    access?: Access;
    /** One line for /openapi.json. */
    summary?: string;
    /** The status of a success when it is not 200. */
    success?: number;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The server's Core acting as the caller (the base Core on public routes). */
    core: Core;
    /** The client's address, read on arrival: a stream the client closed has no socket address left to log. */
    clientAddress: string;
  }
}

export const BODY_LIMIT = 1024 * 1024;
/** The longest id a path may carry (version ids are at most 300 characters). */
const MAX_PATH_VALUE = 300;

export interface ServerOptions {
  core: Core;
  cluster?: LiveCluster;
  /** ecp's version, for GET /health. */
  version: string;
  /** One line per request; default: standard error. */
  log?: (line: string) => void;
  https?: { cert: Buffer; key: Buffer };
}

export interface ServerContext {
  core: Core;
  live: LiveStatus;
  version: string;
  routes: RouteEntry[];
  log: (line: string) => void;
  registrations: RegisterQueue;
}

export type RouteModule = (app: FastifyInstance, ctx: ServerContext) => void;

function refusal(request: FastifyRequest, access: Access, principals: Map<string, Principal>, readOnly: boolean): { status: number; message: string } | undefined {
  if (access === 'public') return undefined;
  const token = bearerToken(request.headers.authorization);
  if (!token) return { status: 401, message: 'This request needs a bearer token: send Authorization: Bearer <token> (see `ecp serve token new`).' };
  const principal = principals.get(sha256Hex(token));
  if (!principal) return { status: 401, message: 'The bearer token is not one of server.tokens in the config.' };
  request.principal = principal;
  if (!mayAccess(principal.role, access)) {
    return {
      status: 403,
      message: `${request.method} ${request.routeOptions.url} needs the ${access === 'operate' ? 'operator' : 'approver'} role: ${principal.identity} has the ${principal.role} role.`,
    };
  }
  if (readOnly && access !== 'read')
    return { status: 403, message: `ecp serve is in read-only mode (readOnly or --readonly): ${request.method} ${request.routeOptions.url} would change something and is refused.` };
  return undefined;
}

export async function buildServer(options: ServerOptions): Promise<{ app: FastifyInstance; live: LiveStatus }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const principals = tokenTable(options.core.config.serverTokens);
  // One instance type for HTTP and HTTPS: the routes never touch the raw server.
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    https: options.https ?? null,
    // Bodies are checked as sent: "5" is not a number, an unknown field is an error.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PATH_VALUE },
    // A path the router cannot take apart (bad %-escape, an over-long id): a 400 like any other.
    frameworkErrors: (error, request, reply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `A value in the path is longer than ${MAX_PATH_VALUE} characters.` : 'The path is not a valid URL.';
      log(requestLine(request, 400, 0));
      void (reply as FastifyReply).code(400).send(errorBody(400, message));
    },
  }) as unknown as FastifyInstance;
  const live = new LiveStatus(options.core, options.cluster);
  const ctx: ServerContext = { core: options.core, live, version: options.version, routes: [], log, registrations: new RegisterQueue() };
  app.addHook('onRoute', (route) => {
    // Every query is checked: a route that names no query parameters takes none.
    route.schema = { querystring: object({}), ...route.schema };
    if (route.method !== 'HEAD') ctx.routes.push(routeCatalog(route));
  });

  const readCore = withCachedReads(options.core);
  app.decorateRequest('core', null as unknown as Core);
  app.decorateRequest('clientAddress', '');
  app.addHook('onRequest', async (request, reply) => {
    request.clientAddress = request.ip;
    request.core = options.core;
    const refused = refusal(request, request.routeOptions.config?.access ?? 'read', principals, options.core.config.readOnly);
    if (refused) return reply.code(refused.status).send(errorBody(refused.status, refused.message));
    // Reads see the store through a cache that parses store.json again only when it changed.
    if (request.principal) request.core = requestCore(request.method === 'GET' ? readCore : options.core, request.principal);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) live.changed();
    log(requestLine(request, reply.statusCode, reply.elapsedTime));
  });
  app.setErrorHandler(async (error, request, reply) => {
    const body = toErrorBody(error);
    if (body.status === 500) log(`${new Date().toISOString()} error in ${request.method} ${request.url}: ${errorMessage(error)}`);
    return reply.code(body.status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send(errorBody(404, `There is no ${request.method} ${request.url.split('?')[0]}.`)));

  // Open streams end when the server closes, so closing never waits on a status page.
  app.addHook('preClose', async () => {
    live.emit('closing');
  });
  for (const routes of [versionRoutes, deploymentRoutes, approvalRoutes, auditRoutes, healthRoutes, statusRoutes]) routes(app, ctx);
  await app.ready();
  return { app, live };
}

/** `2026-12-01T09:00:00.000Z 127.0.0.1 ci@example.com POST /api/... 201 3ms` — never a token. */
export function requestLine(request: FastifyRequest, status: number, ms: number): string {
  return `${new Date().toISOString()} ${request.clientAddress} ${request.principal?.identity ?? '-'} ${request.method} ${request.url} ${status} ${Math.round(ms)}ms`;
}
