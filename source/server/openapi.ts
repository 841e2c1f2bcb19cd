/** GET /openapi.json: the routes as registered, with their own schemas, as an OpenAPI 3.1 document. */
import type { RouteOptions } from 'fastify';
import type { Access } from './principal.js';
import { errorSchema } from './schemas.js';

interface RouteSchema {
  params?: { properties?: Record<string, unknown>; required?: string[] };
  querystring?: { properties?: Record<string, unknown> };
  body?: unknown;
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
  summary?: string;
  schema: RouteSchema;
  /** Status of a success. */
  success: number;
}

export function routeCatalog(route: RouteOptions): RouteEntry {
  const config = (route.config ?? {}) as { access?: Access; success?: number; summary?: string };
  return {
    summary: config.summary,
    method: String(route.method).toLowerCase(),
    url: route.url,
    access: config.access ?? 'read',
    schema: (route.schema ?? {}) as RouteSchema,
    success: config.success ?? 200,
  };
}

const ROLE_NOTE: Record<Access, string> = {
  public: 'No token needed.',
  read: 'Any token (reader, operator or approver).',
  operate: 'An operator token.',
  approve: 'An approver token.',
};

function operation(entry: RouteEntry): Record<string, unknown> {
  const parameters = [
    ...Object.entries(entry.schema.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
    ...Object.entries(entry.schema.querystring?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
  ];
  const error = { description: 'An error', content: { 'application/json': { schema: errorSchema } } };
  return {
    summary: entry.summary,
    description: ROLE_NOTE[entry.access],
    ...(parameters.length ? { parameters } : {}),
    ...(entry.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: entry.schema.body } } } } : {}),
    ...(entry.access === 'public' ? { security: [] } : {}),
    responses: { [entry.success]: { description: 'Success' }, '4XX': error, '5XX': error },
  };
}

export function openApiDocument(routes: readonly RouteEntry[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const entry of routes) {
    const url = entry.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[url] = { ...paths[url], [entry.method]: operation(entry) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ecp serve — the ECP-AI image management API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
