/**
 * Issue 17: a burst of registrations through `ecp serve` (written together while a write runs):
 * every one answered on its own — 201 with its caller as the actor, or 409 for a duplicate,
 * even one inside the same burst — and each audited once, as its caller.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverWorld, type Caller, type ServerWorld } from './world.js';

const REGISTER = '/api/v1/image-management/versions/register';
const body = (tag: string) => ({ service_name: 'callbot', image_name: 'callbot', image_tag: tag, full_image_name: `localhost:5000/ecp-ai/callbot:${tag}`, git_commit: 'abc123', git_branch: 'main' });

let w: ServerWorld;
beforeAll(async () => {
  w = await serverWorld();
});
afterAll(async () => {
  await w?.stop();
});

it('answers each request of a burst on its own, with its own actor, and refuses the duplicate', async () => {
  const tags = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
  const answers = await Promise.all([...tags, 'burst-7'].map((tag) => w.call('POST', REGISTER, { role: 'operator', body: body(tag) })));
  expect(answers.filter((a) => a.status === 201)).toHaveLength(40);
  const refused = answers.filter((a) => a.status === 409);
  expect(refused.map((a) => a.body.message)).toEqual(['Image localhost:5000/ecp-ai/callbot:burst-7 is already registered.']);
  for (const a of answers.filter((x) => x.status === 201)) expect(a.body.actor).toBe('ci@example.com');
  const ids = answers.filter((a) => a.status === 201).map((a) => a.body.id as string);
  expect(new Set(ids).size).toBe(40);

  const stored = (await w.s.core.store.allVersions('callbot')).filter((v) => v.imageTag.startsWith('burst-'));
  expect(stored.map((v) => v.imageTag).sort()).toEqual([...tags].sort());
  const audited = (await w.s.core.audit.list()).filter((e) => e.action === 'version.register');
  expect(audited.map((e) => e.target).sort()).toEqual([...ids].sort());
  expect(new Set(audited.map((e) => e.actor))).toEqual(new Set(['ci@example.com']));
  expect((await w.s.core.audit.verify()).ok).toBe(true);
});

it('keeps callers apart: two operators in one burst are each recorded as themselves', async () => {
  const callers = Array.from({ length: 20 }, (_, i): Caller => (i % 2 ? 'operator2' : 'operator'));
  const answers = await Promise.all(callers.map((caller, i) => w.call('POST', REGISTER, { role: caller, body: body(`mix-${i}`) })));
  expect(answers.map((a) => a.status)).toEqual(callers.map(() => 201));
  expect(answers.map((a) => a.body.actor)).toEqual(callers.map((c) => w.identities[c]));
  const audited = new Map((await w.s.core.audit.list()).filter((e) => e.action === 'version.register').map((e) => [e.target, e.actor]));
  expect(answers.map((a) => audited.get(a.body.id))).toEqual(callers.map((c) => w.identities[c]));
});
