/**
 * Issue 17: who may do what through `ecp serve` — each role × each endpoint, no token, a token not
 * in the config, and read-only mode. A refused request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCleanError, worldState } from './state.js';
import { serverWorld, type Role, type ServerWorld } from './world.js';

type Access = 'public' | 'read' | 'operate' | 'approve';
const V = '/api/v1/image-management';
const register = {
  service_name: 'callbot',
  image_name: 'callbot',
  image_tag: 'v9.9.9-matrix',
  full_image_name: 'localhost:5000/ecp-ai/callbot:v9.9.9-matrix',
  git_commit: 'abc123',
  git_branch: 'main',
};

/** Every endpoint, with a request each role may make (the outcome past the role check is not the point here). */
const ENDPOINTS: { method: string; path: string; route: string; access: Access; body?: unknown }[] = [
  { method: 'POST', path: `${V}/versions/register`, route: `${V}/versions/register`, access: 'operate', body: register },
  { method: 'GET', path: `${V}/versions/callbot?limit=10`, route: `${V}/versions/{service_name}`, access: 'read' },
  { method: 'PUT', path: `${V}/versions/no-such-version-1/status`, route: `${V}/versions/{version_id}/status`, access: 'operate', body: { status: 'ready' } },
  { method: 'GET', path: `${V}/deployments/health`, route: `${V}/deployments/health`, access: 'read' },
  { method: 'GET', path: `${V}/deployments/status`, route: `${V}/deployments/status`, access: 'read' },
  { method: 'GET', path: `${V}/deployments/test-download/status`, route: `${V}/deployments/{tenant_id}/status`, access: 'read' },
  { method: 'GET', path: `${V}/deployments/test-download/history?service_name=callbot&limit=20`, route: `${V}/deployments/{tenant_id}/history`, access: 'read' },
  { method: 'POST', path: `${V}/deployments/test-download/callbot/rollback`, route: `${V}/deployments/{tenant_id}/{service_name}/rollback`, access: 'operate', body: { reason: 'matrix' } },
  { method: 'GET', path: `${V}/approvals?all=true`, route: `${V}/approvals`, access: 'read' },
  { method: 'POST', path: `${V}/approvals/apr-none/approve`, route: `${V}/approvals/{approval_id}/approve`, access: 'approve', body: {} },
  { method: 'POST', path: `${V}/approvals/apr-none/reject`, route: `${V}/approvals/{approval_id}/reject`, access: 'approve', body: { reason: 'matrix' } },
  { method: 'GET', path: `${V}/audit?limit=5`, route: `${V}/audit`, access: 'read' },
  { method: 'GET', path: `${V}/audit/verify`, route: `${V}/audit/verify`, access: 'read' },
  { method: 'GET', path: `${V}/status/stream`, route: `${V}/status/stream`, access: 'read' },
  { method: 'GET', path: '/health', route: '/health', access: 'public' },
  { method: 'GET', path: '/openapi.json', route: '/openapi.json', access: 'public' },
  { method: 'GET', path: '/', route: '/', access: 'public' },
];

const ROLES: Role[] = ['reader', 'operator', 'approver'];
const allowed = (role: Role, access: Access) => access === 'public' || access === 'read' || (access === 'operate' ? role === 'operator' : role === 'approver');

let w: ServerWorld;
beforeAll(async () => {
  w = await serverWorld();
});
afterAll(async () => {
  await w?.stop();
});

/** Status of one request; a stream is read only as far as its headers. */
async function statusOf(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  if (path.endsWith('/stream')) {
    const controller = new AbortController();
    const response = await fetch(`${w.url}${path}`, { headers, signal: controller.signal });
    const text = response.status === 200 ? '' : await response.text();
    controller.abort();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  }
  return w.call(method, path, { body, headers });
}

describe('the authorisation matrix (issue 17)', () => {
  it('covers every route the server has', async () => {
    const doc = (await w.call('GET', '/openapi.json')).body;
    const served = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(served.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.route}`).sort());
    // Each says what it does, who may call it, and what it takes.
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { summary?: string; description?: string }>>)) {
      for (const op of Object.values(ops)) expect(op.summary && op.description).toBeTruthy();
    }
    const registerOp = doc.paths[`${V}/versions/register`].post;
    expect(registerOp.requestBody.content['application/json'].schema.required).toEqual(['service_name', 'image_name', 'image_tag', 'full_image_name', 'git_commit', 'git_branch']);
    expect(doc.paths[`${V}/versions/{service_name}`].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:service_name', 'query:limit', 'query:all']);
  });

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.method} ${endpoint.route} (${endpoint.access})`, async () => {
      const before = await worldState(w);
      const none = await statusOf(endpoint.method, endpoint.path, {}, endpoint.body);
      const forged = await statusOf(endpoint.method, endpoint.path, { authorization: 'Bearer ecp_not-a-token-of-this-server' }, endpoint.body);
      const basic = await statusOf(endpoint.method, endpoint.path, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, endpoint.body);
      if (endpoint.access === 'public') {
        for (const r of [none, forged, basic]) expect(r.status).toBe(200);
        return;
      }
      for (const r of [none, forged, basic]) {
        expect(r.status).toBe(401);
        assertCleanError(r);
      }
      for (const role of ROLES) {
        if (allowed(role, endpoint.access)) continue;
        const refused = await statusOf(endpoint.method, endpoint.path, { authorization: `Bearer ${w.tokens[role]}` }, endpoint.body);
        expect(refused.status, role).toBe(403);
        assertCleanError(refused);
        expect(refused.body.message).toContain(`has the ${role} role`);
      }
      expect(await worldState(w)).toBe(before);
      for (const role of ROLES) {
        if (!allowed(role, endpoint.access)) continue;
        const passed = await statusOf(endpoint.method, endpoint.path, { authorization: `Bearer ${w.tokens[role]}` }, endpoint.body);
        expect([401, 403], `${role}: ${passed.text}`).not.toContain(passed.status);
      }
    });
  }

  it('records the token identity as the actor', async () => {
    const created = await w.call('POST', `${V}/versions/register`, {
      role: 'operator',
      body: { ...register, image_tag: 'v9.9.9-actor', full_image_name: 'localhost:5000/ecp-ai/callbot:v9.9.9-actor' },
    });
    expect(created.status).toBe(201);
    expect(created.body.actor).toBe(w.identities.operator);
    expect((await w.s.core.audit.list()).at(-1)).toMatchObject({ actor: w.identities.operator, action: 'version.register' });
  });
});

describe('read-only mode (issue 17)', () => {
  let ro: ServerWorld;
  beforeAll(async () => {
    ro = await serverWorld({ config: 'readOnly: true\n' });
  });
  afterAll(async () => {
    await ro?.stop();
  });

  it('refuses every changing endpoint with 403, even to the role that may, and still reads', async () => {
    const before = await worldState(ro);
    for (const e of ENDPOINTS.filter((x) => x.access === 'operate' || x.access === 'approve')) {
      const role: Role = e.access === 'operate' ? 'operator' : 'approver';
      const r = await ro.call(e.method, e.path, { role, body: e.body });
      expect(r.status, `${e.method} ${e.path}`).toBe(403);
      assertCleanError(r);
      expect(r.body.message).toMatch(/read-only mode/);
    }
    expect(await worldState(ro)).toBe(before);
    expect((await ro.call('GET', `${V}/versions/callbot`, { role: 'reader' })).status).toBe(200);
  });
});
