/**
 * Issue 17: every error status of `ecp serve` — 401, 403 (in authorization.test.ts), 404, 409,
 * 400/422 naming the field, 413 — as one JSON object with a message, and a small fuzz of bodies
 * and paths: only those statuses, never a stack trace, nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCleanError, worldState } from './state.js';
import { serverWorld, type ServerWorld } from './world.js';
import { seededRandom } from '../helpers/random.js';

const V = '/api/v1/image-management';
const register = { service_name: 'callbot', image_name: 'callbot', image_tag: 'v7.0.0-err', full_image_name: 'localhost:5000/ecp-ai/callbot:v7.0.0-err', git_commit: 'abc123', git_branch: 'main' };

let w: ServerWorld;
beforeAll(async () => {
  w = await serverWorld();
});
afterAll(async () => {
  await w?.stop();
});

async function refused(method: string, path: string, status: number, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const before = await worldState(w);
  const r = await w.call(method, path, { role: 'operator', ...options });
  expect(r.status, r.text).toBe(status);
  assertCleanError(r);
  expect(await worldState(w)).toBe(before);
  return r.body.message as string;
}

describe('error statuses (issue 17)', () => {
  it('404 for an unknown version, tenant, service, approval or path', async () => {
    expect(await refused('PUT', `${V}/versions/callbot-v0-0/status`, 404, { body: { status: 'ready' } })).toBe('No version has the id "callbot-v0-0".');
    expect(await refused('GET', `${V}/deployments/no-tenant/history`, 404)).toMatch(/no tenant "no-tenant"/);
    expect(await refused('POST', `${V}/deployments/test-download/no-service/rollback`, 404, { body: { reason: 'x' } })).toMatch(/has no service "no-service"/);
    expect(await refused('GET', `${V}/deployments/no-tenant/status`, 404)).toMatch(/no tenant/);
    expect(await refused('GET', `${V}/nothing-here`, 404)).toMatch(/There is no GET/);
    // No body at all is an approval without a reason: it gets as far as the unknown id.
    const approver = await w.call('POST', `${V}/approvals/apr-unknown/approve`, { role: 'approver' });
    expect(approver.status).toBe(404);
    assertCleanError(approver);
  });

  it('409 for a duplicate registration, naming the image; 409 for a rollback with nowhere to go', async () => {
    expect((await w.call('POST', `${V}/versions/register`, { role: 'operator', body: register })).status).toBe(201);
    expect(await refused('POST', `${V}/versions/register`, 409, { body: register })).toBe('Image localhost:5000/ecp-ai/callbot:v7.0.0-err is already registered.');
    expect(await refused('POST', `${V}/deployments/test-download/callbot/rollback`, 409, { body: { reason: 'no earlier version' } })).toMatch(
      /^No earlier good version of test-download\/callbot to roll back to: .*; name one in to_version_id\.$/,
    );
  });

  it('422 for a body that fails the schema, naming the field', async () => {
    const { git_branch: _, ...missing } = register;
    expect(await refused('POST', `${V}/versions/register`, 422, { body: missing })).toBe('The body is missing the field "git_branch".');
    expect(await refused('POST', `${V}/versions/register`, 422, { body: { ...register, image_tag: 5 } })).toBe('The body\'s field "image_tag" must be string.');
    expect(await refused('POST', `${V}/versions/register`, 422, { body: { ...register, owner: 'x' } })).toBe('The body has an unknown field "owner".');
    expect(await refused('POST', `${V}/versions/register`, 422, { body: { ...register, service_name: 'Call_Bot' } })).toMatch(/field "service_name" must match pattern/);
    // The domain's own rules (the tag must end the image name) name the field too.
    expect(await refused('POST', `${V}/versions/register`, 422, { body: { ...register, image_tag: 'v7.0.1' } })).toMatch(/full_image_name .* does not end in the image tag ":v7.0.1"/);
    expect(await refused('PUT', `${V}/versions/x-1/status`, 422, { body: { status: 'shiny' } })).toMatch(/field "status" must be equal to one of the allowed values/);
    expect(await refused('PUT', `${V}/versions/x-1/status`, 422, { body: { vulnerabilities_count: '0' } })).toBe('The body\'s field "vulnerabilities_count" must be integer.');
    expect(await refused('PUT', `${V}/versions/x-1/status`, 422, { body: {} })).toMatch(/must NOT have fewer than 1 properties/);
    expect(await refused('POST', `${V}/deployments/test-download/callbot/rollback`, 422, { body: { reason: '   ' } })).toMatch(/field "reason" must match pattern/);
    expect(await refused('POST', `${V}/deployments/test-download/callbot/rollback`, 422, { body: {} })).toBe('The body is missing the field "reason".');
  });

  it('400 for a bad query or path value, naming it, and for a body that is not JSON', async () => {
    expect(await refused('GET', `${V}/versions/callbot?limit=0`, 400)).toMatch(/The query's field "limit" must match pattern/);
    expect(await refused('GET', `${V}/versions/callbot?limit=99999999999999999999`, 400)).toMatch(/"limit"/);
    expect(await refused('GET', `${V}/versions/callbot?limit=ten`, 400)).toMatch(/"limit"/);
    expect(await refused('GET', `${V}/versions/callbot?color=red`, 400)).toBe('The query has an unknown field "color".');
    // A route that names no query parameters takes none.
    expect(await refused('PUT', `${V}/versions/x-1/status?force=true`, 400, { body: { status: 'ready' } })).toBe('The query has an unknown field "force".');
    expect(await refused('GET', '/health?verbose=1', 400)).toBe('The query has an unknown field "verbose".');
    expect(await refused('GET', `${V}/versions/..%2F..%2Fstore.json`, 400)).toMatch(/The path's field "service_name"/);
    expect(await refused('POST', `${V}/versions/register`, 400, { raw: '{"service_name": ' })).toMatch(/not valid JSON/);
  });

  it('413 for a body over 1 MiB, before it is read as a version', async () => {
    const big = { ...register, image_name: 'x'.repeat(1024 * 1024) };
    expect(await refused('POST', `${V}/versions/register`, 413, { body: big })).toBe('The body is larger than 1 MiB.');
  });
});

const BAD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e300,
  Number.MAX_SAFE_INTEGER * 4,
  true,
  [],
  {},
  [1, 'a'],
  { $gt: '' },
  '',
  ' ',
  '../../etc/passwd',
  '%2e%2e%2f',
  '\u0000',
  'x'.repeat(5000),
  '😀',
  '<script>alert(1)</script>',
  "'; DROP TABLE versions; --",
];
const BAD_IDS = ['..%2F..%2Fetc%2Fpasswd', '%E0%A4%A', '%2e%2e', '.hidden', '%00', 'a'.repeat(400), 'callbot%20v1', 'UPPER', '-lead', 'a%2Fb', '%F0%9F%98%80', '1e999', '-1', '9'.repeat(40)];

describe('a small fuzz of bodies and paths (issue 17)', () => {
  it('answers only the statuses above, never a stack trace, and changes nothing', async () => {
    const next = seededRandom(17);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const before = await worldState(w);
    const seen = new Set<number>();
    for (let i = 0; i < 150; i += 1) {
      const kind = i % 5;
      let method = 'POST';
      let path: string;
      let body: unknown;
      if (kind === 0) {
        // A register body with one field broken, removed, or one field too many.
        const key = pick(Object.keys(register));
        const broken: Record<string, unknown> = { ...register, full_image_name: `localhost:5000/ecp-ai/callbot:fuzz-${i}`, image_tag: `fuzz-${i}` };
        const roll = next();
        if (roll < 0.2) delete broken[key];
        // defineProperty: `broken.__proto__ = x` would set the prototype, not send a key.
        else if (roll < 0.36) Object.defineProperty(broken, pick(['__proto__', 'constructor', 'extra', 'status']), { value: pick(BAD_VALUES), enumerable: true });
        else broken[key] = pick(BAD_VALUES.filter((v) => typeof v !== 'string' || v === '' || key === 'service_name'));
        path = `${V}/versions/register`;
        body = broken;
      } else if (kind === 1) {
        method = 'PUT';
        path = `${V}/versions/${pick(BAD_IDS)}/status`;
        body = next() < 0.5 ? { status: pick(BAD_VALUES) } : { vulnerabilities_count: pick(BAD_VALUES) };
      } else if (kind === 2) {
        path = `${V}/deployments/${pick(BAD_IDS)}/${pick(['callbot', ...BAD_IDS])}/rollback`;
        body = next() < 0.5 ? { reason: pick(BAD_VALUES) } : pick(BAD_VALUES);
      } else if (kind === 3) {
        method = 'GET';
        path = `${V}/${pick(['versions/callbot', 'deployments/test-download/history', `deployments/${pick(BAD_IDS)}/history`, `versions/${pick(BAD_IDS)}`])}?limit=${encodeURIComponent(String(pick(BAD_VALUES)))}`;
      } else {
        method = pick(['GET', 'DELETE', 'PATCH', 'POST', 'PUT']);
        path = `${V}/${pick(['versions', 'deployments', 'approvals', 'audit'])}/${pick(BAD_IDS)}/${pick(BAD_IDS)}`;
        body = method === 'GET' || method === 'DELETE' ? undefined : pick(BAD_VALUES);
      }
      const raw = body === undefined ? undefined : (JSON.stringify(body) ?? 'null');
      const r = await w.call(method, path, { role: pick(['operator', 'operator', 'reader', 'approver'] as const), raw });
      seen.add(r.status);
      expect([200, 400, 403, 404, 409, 413, 422], `${method} ${path} ${raw?.slice(0, 80)} → ${r.text.slice(0, 200)}`).toContain(r.status);
      if (r.status >= 400) assertCleanError(r);
    }
    expect(await worldState(w)).toBe(before);
    expect([...seen].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
  });
});
