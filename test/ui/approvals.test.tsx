/**
 * Approvals in the console (issue 8): the header counts the pending ones, `a` lists them, and an
 * approver approves (y / Enter, confirmed) or rejects (with a reason) under the same rules as
 * `ecp approve` / `ecp reject` — recorded in the store and the audit trail the same way. Over the
 * sandbox and the registry of scripts/test-env.sh: a deploy into a protected tenant requests an
 * approval, and once another approver has approved it, the same key completes the deploy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../source/adapters/kube.js';
import type { Core } from '../../source/core.js';
import type { Approval } from '../../source/domain/types.js';
import type { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { describeRegistry, pushTinyImage } from '../helpers/registry.js';
import { git } from '../helpers/temp.js';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderConsole, snapshot, version, workspace, sandboxCluster, type RenderedConsole, type SandboxCluster, type Workspace } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
const OPS = 'ops@example.test';
const LEAD = 'lead@example.test';

let open: RenderedConsole[] = [];
afterEach(() => {
  for (const console of open) console.unmount();
  open = [];
});

/** The console as `actor` (the same store and manifests; another person at the keyboard). */
async function consoleAs(core: Core, actor: string, options: Parameters<typeof renderConsole>[1] = {}): Promise<RenderedConsole> {
  const rendered = await renderConsole({ ...core, actor: async () => actor }, options);
  open.push(rendered);
  return rendered;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function approval(id: string, over: Partial<Approval> = {}): Approval {
  return {
    id,
    action: 'deploy',
    tenantId: 'acme-prod',
    namespace: 'acme-prod',
    images: { callbot: `${IMG}/callbot:v3` },
    requestedBy: OPS,
    requestedAt: minutesAgo(5),
    status: 'pending',
    ...over,
  };
}

/** acme-prod (protected) and shop, and four approvals: two pending, one expired, one rejected. */
async function approvalsWorkspace(options: { readOnly?: boolean } = {}) {
  const ws = workspace({ copySamples: false, readOnly: options.readOnly });
  writeTenant(ws.manifestsDir, 'acme-prod', [
    { name: 'callbot', tag: 'v2' },
    { name: 'chatbot', tag: 'v1' },
  ]);
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
  await ws.core.store.update((data) => {
    data.approvals.push(
      approval('apr-ops-deploy'),
      approval('apr-dev-update', { action: 'update-manifests', images: { chatbot: `${IMG}/chatbot:v2` }, requestedBy: 'dev@example.test', requestedAt: minutesAgo(30) }),
      approval('apr-old', { images: { callbot: `${IMG}/callbot:v1` }, requestedAt: minutesAgo(25 * 60) }),
      approval('apr-no', {
        images: { callbot: `${IMG}/callbot:v0` },
        requestedAt: minutesAgo(180),
        status: 'rejected',
        decidedBy: LEAD,
        decidedAt: minutesAgo(120),
        reason: 'not during the campaign',
      }),
    );
  });
  const live = new FixedLive(snapshot([deployment('acme-prod', 'callbot', `${IMG}/callbot:v2`, 1), deployment('shop', 'callbot', `${IMG}/callbot:v2`, 1)]));
  return { ws, live };
}

const stored = async (ws: Workspace, id: string) => (await ws.core.store.read()).approvals.find((a) => a.id === id);
const rowOf = (frame: string, id: string) => frame.split('\n').find((l) => l.includes(id)) ?? '';
const footerOf = (frame: string) => frame.trimEnd().split('\n').at(-1)!;
/** The status line's whole text (the frame cuts it at the terminal's width). */
const statusOf = (c: RenderedConsole) => c.handle.store.getState().message?.text ?? '';
async function waitForStatus(c: RenderedConsole, text: string, timeoutMs = 5000): Promise<string> {
  await c
    .waitFor(() => statusOf(c).includes(text), timeoutMs)
    .catch(() => {
      throw new Error(`Timed out waiting for the status line to say ${text}; it says: ${statusOf(c)}`);
    });
  return statusOf(c);
}

/** Opens the approvals view and moves the cursor to `id`. */
async function select(c: RenderedConsole, id: string): Promise<string> {
  await c.press('a');
  await c.waitFor('Approvals ·');
  for (let i = 0; i < 10 && !/│›/.test(rowOf(c.frame(), id)); i += 1) await c.press('j');
  return c.waitFor((f) => rowOf(f, id).includes('│›'));
}

describe('approvals in the console', () => {
  it('counts the pending approvals in the header and lists every approval with a', async () => {
    const { ws, live } = await approvalsWorkspace();
    const c = await consoleAs(ws.core, LEAD, { live, size: { columns: 100, rows: 35 } });
    let frame = await c.waitFor('Services · acme-prod');
    // Expired and decided ones are not counted.
    expect(frame).toContain('2 approvals pending (a)');
    await c.press('a');
    frame = await c.waitFor('Approvals · 2 pending');
    expect(frame).toMatch(/ID\s+ACTION\s+TENANT\s+IMAGES\s+(REQUESTED )?BY\s+AGE\s+STATUS/);
    expect(rowOf(frame, 'apr-ops-deploy')).toMatch(/│›apr-ops-deploy\s+deploy\s+acme-prod\s+callbot=v3\s+ops@\S+\s+5m\s+pending/);
    expect(rowOf(frame, 'apr-dev-update')).toMatch(/update\s+acme-prod\s+chatbot=v2\s+dev@\S+\s+30m\s+pending/);
    expect(rowOf(frame, 'apr-old')).toMatch(/callbot=v1\s+ops@\S+\s+25h\s+expired/);
    expect(rowOf(frame, 'apr-no')).toMatch(/callbot=v0\s+ops@\S+\s+3h\s+rejected/);
    // Open ones first, then decided and expired ones; newest first in each.
    const order = ['apr-ops-deploy', 'apr-dev-update', 'apr-no', 'apr-old'].map((id) => frame.indexOf(id));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The selected one in full under the table.
    expect(frame).toContain(`│deploy of acme-prod (namespace acme-prod) · callbot=${IMG}/callbot:v3`);
    expect(frame).toMatch(/pending: requested by ops@example.test 5m ago · expires in 23h/);
    expect(footerOf(frame)).toMatch(/↑↓ choose\s+y Enter approve\s+n reject\s+\/ filter\s+Esc a q close/);
    await c.press('j');
    frame = await c.waitFor((f) => rowOf(f, 'apr-dev-update').includes('│›'));
    expect(frame).toContain('update-manifests of acme-prod');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Approvals ·') && f.includes('Services · acme-prod'));
    // Help lists the key and the view's keys.
    await c.press('?');
    frame = await c.waitFor('Help · every key');
    expect(frame).toMatch(/ a\s+approvals: pending ones first/);
    // The view's keys further down.
    const position = (f: string) => /(\d+)\/\d+ · ↑↓ scroll/.exec(f)?.[1];
    for (let i = 0; i < 20 && !frame.includes('approve the selected one'); i++) {
      const at = position(frame);
      await c.press(KEYS.pageDown);
      frame = await c.waitFor((f) => position(f) !== at);
    }
    // The two decisions are neighbours; a page may end between them.
    if (!frame.includes('reject the selected one')) {
      await c.press(KEYS.down);
      frame = await c.waitFor('reject the selected one');
    }
    expect(frame).toMatch(/y Enter\s+approve the selected one \(not your own; asks first\)\s+approvals \(a\)/);
    expect(frame).toMatch(/[ ›]n\s+reject the selected one \(type the reason\)\s+approvals \(a\)/);
  });

  it('does not let the requester approve their own, nor anyone decide an expired or decided one', async () => {
    const { ws, live } = await approvalsWorkspace();
    const c = await consoleAs(ws.core, OPS, { live });
    await c.waitFor('Services · acme-prod');
    let frame = await select(c, 'apr-ops-deploy');
    expect(frame).toContain(`You (${OPS}) requested it: another approver approves or rejects it.`);
    await c.press('y');
    // One sentence in the status line, no confirmation asked, nothing changed.
    expect(await waitForStatus(c, 'cannot approve')).toBe(`✗ ${OPS} requested approval apr-ops-deploy and cannot approve or reject it; another approver must.`);
    expect(c.frame()).not.toContain('Approve the deploy');
    await c.press('n');
    expect(c.frame()).not.toContain('because:');
    expect(await stored(ws, 'apr-ops-deploy')).toMatchObject({ status: 'pending' });
    await c.press('j', 'j', 'j', KEYS.enter);
    expect(await waitForStatus(c, 'apr-old')).toMatch(/^✗ Approval apr-old has expired \(requested .*\)\.$/);
    await c.press('k', 'y');
    await waitForStatus(c, `Approval apr-no was already rejected by ${LEAD}.`);
    // The refusals are in the pipeline log too, each with its sentence.
    const logged = c.handle.store.getState().jobs.map((j) => [j.state, j.title, j.steps.map((s) => s.title).join()]);
    expect(logged).toEqual([
      ['failed', 'approve apr-ops-deploy (deploy of acme-prod)', `${OPS} requested approval apr-ops-deploy and cannot approve or reject it; another approver must.`],
      ['failed', 'reject apr-ops-deploy (deploy of acme-prod)', `${OPS} requested approval apr-ops-deploy and cannot approve or reject it; another approver must.`],
      ['failed', 'approve apr-old (deploy of acme-prod)', expect.stringMatching(/^Approval apr-old has expired/)],
      ['failed', 'approve apr-no (deploy of acme-prod)', `Approval apr-no was already rejected by ${LEAD}.`],
    ]);
    await c.press(KEYS.escape, '\t', '\t');
    frame = await c.waitFor('╒═ Pipeline log');
    expect(frame).toMatch(/✗ approve apr-no \(deploy of acme-pr/);
    expect((await ws.core.audit.list()).filter((e) => e.action.startsWith('approval.'))).toEqual([]);
  });

  it('lets another approver approve, confirmed, and records it in the store and the audit trail like ecp approve', async () => {
    const { ws, live } = await approvalsWorkspace();
    const c = await consoleAs(ws.core, LEAD, { live });
    await c.waitFor('2 approvals pending');
    await select(c, 'apr-ops-deploy');
    await c.press('y');
    let frame = await c.waitFor('Approve the deploy of acme-prod (callbot=v3)?');
    expect(footerOf(frame)).toMatch(/y Enter approve\s+n Esc back/);
    // n goes back without deciding.
    await c.press('n');
    await c.waitFor((f) => !f.includes('Approve the deploy'));
    expect(await stored(ws, 'apr-ops-deploy')).toMatchObject({ status: 'pending' });
    await c.press(KEYS.enter, KEYS.enter);
    await waitForStatus(c, '✓ approve apr-ops-deploy (deploy of acme-prod): approved by lead@example.test; d / D on acme-prod');
    await c.settle();
    const decided = await stored(ws, 'apr-ops-deploy');
    expect(decided).toMatchObject({ status: 'approved', decidedBy: LEAD });
    expect(Date.now() - Date.parse(decided!.decidedAt!)).toBeLessThan(60_000);
    const events = await ws.core.audit.list();
    expect(events.at(-1)).toMatchObject({
      actor: LEAD,
      action: 'approval.approve',
      target: 'apr-ops-deploy',
      details: { tenant: 'acme-prod', images: { callbot: `${IMG}/callbot:v3` }, reason: null },
    });
    expect((await ws.core.audit.verify()).ok).toBe(true);
    // The view and the header follow.
    frame = await c.waitFor((f) => f.includes('Approvals · 1 pending') && /apr-ops-deploy.*approved/.test(f));
    expect(frame).toMatch(/approved by lead@example.test \d+s ago · requested by ops@example.test · usable for 23h/);
    await c.press(KEYS.escape);
    frame = await c.waitFor('1 approval pending (a)');
    expect(frame).toMatch(/✓ approve apr-ops-deploy/);
  });

  it('needs a reason to reject, and records it', async () => {
    const { ws, live } = await approvalsWorkspace();
    const c = await consoleAs(ws.core, LEAD, { live });
    await c.waitFor('Services · acme-prod');
    await select(c, 'apr-dev-update');
    await c.press('n');
    let frame = await c.waitFor('Reject apr-dev-update, because:');
    expect(footerOf(frame)).toMatch(/type the reason\s+Enter reject\s+Esc back/);
    await c.press(KEYS.enter);
    await c.waitFor('A rejection needs a reason');
    expect(await stored(ws, 'apr-dev-update')).toMatchObject({ status: 'pending' });
    for (const ch of 'not in the freeze') await c.press(ch);
    await c.press(KEYS.enter);
    await waitForStatus(c, '✓ reject apr-dev-update (update-manifests of acme-prod): rejected by lead@example.test: not in the freeze');
    await c.settle();
    expect(await stored(ws, 'apr-dev-update')).toMatchObject({ status: 'rejected', decidedBy: LEAD, reason: 'not in the freeze' });
    expect((await ws.core.audit.list()).at(-1)).toMatchObject({ actor: LEAD, action: 'approval.reject', target: 'apr-dev-update', details: { reason: 'not in the freeze' } });
  });

  it('refuses someone without the approver role in one sentence', async () => {
    const { ws, live } = await approvalsWorkspace();
    const core = { ...ws.core, config: { ...ws.config, approvers: [LEAD] } };
    const c = await consoleAs(core, 'intern@example.test', { live });
    await c.waitFor('Services · acme-prod');
    await select(c, 'apr-ops-deploy');
    await c.press('y');
    await waitForStatus(c, '"approve" needs the approver role: intern@example.test is not listed in approvers in ecp.config.yaml.');
    expect(await stored(ws, 'apr-ops-deploy')).toMatchObject({ status: 'pending' });
  });

  it('hides approve and reject in read-only mode, and ignores their keys', async () => {
    const { ws, live } = await approvalsWorkspace({ readOnly: true });
    const c = await consoleAs(ws.core, LEAD, { live, size: { columns: 100, rows: 50 } });
    await c.waitFor('2 approvals pending');
    await c.press('a');
    let frame = await c.waitFor('Approvals · 2 pending');
    expect(frame).toContain('Read-only: approving and rejecting are off.');
    expect(footerOf(frame)).toMatch(/↑↓ choose\s+\/ filter\s+Esc a q close/);
    expect(footerOf(frame)).not.toMatch(/approve|reject/);
    await c.press('y', KEYS.enter, 'n');
    frame = c.frame();
    expect(frame).not.toContain('Approve the deploy');
    expect(frame).not.toContain('because:');
    expect(c.handle.store.getState().jobs).toEqual([]);
    expect(await stored(ws, 'apr-ops-deploy')).toMatchObject({ status: 'pending' });
    await c.press(KEYS.escape, '?');
    frame = await c.waitFor('Help · every key');
    expect(frame).toContain('approvals: pending ones first');
    expect(frame).not.toContain('approvals: approve the selected one');
  });
});

await describeRegistry('a deploy into a protected tenant from the console', (registry) => {
  let cluster: SandboxCluster;
  let ws: Workspace;
  let client: KubeClient;
  let watcher: LiveStateWatcher;
  const prefix = 'ecp-ui-approvals';
  const image = (tag: string) => `${registry}/${prefix}/callbot:${tag}`;

  beforeAll(async () => {
    ws = workspace({ copySamples: false, env: { DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } });
    for (const tenant of ['acme-prod', 'beta-prod']) writeTenant(ws.manifestsDir, tenant, [{ name: 'callbot', tag: 'v1' }], `${registry}/${prefix}`);
    // A deploy ends by committing the manifests and tagging: the workspace is a git repository.
    writeFileSync(path.join(ws.dir, '.gitignore'), 'data/\n');
    git(ws.dir, 'init', '-q', '-b', 'main');
    git(ws.dir, 'config', 'user.email', OPS);
    git(ws.dir, 'add', '.');
    git(ws.dir, 'commit', '-qm', 'acme-prod');
    for (const tag of ['v1', 'v2']) await pushTinyImage(registry, `${prefix}/callbot`, tag);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    await addVersions(
      ws.core,
      ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - i * 28), imageName: `${registry}/${prefix}/callbot`, fullImageName: image(tag) })),
    );
    cluster = await sandboxCluster(ws.manifestsDir, ['acme-prod']);
    ({ client, watcher } = cluster);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const liveImage = async () => (await client.readDeployment('acme-prod', 'callbot'))?.spec?.template?.spec?.containers?.[0]?.image;
  const manifest = () => readFileSync(path.join(ws.manifestsDir, 'acme-prod', 'services.yaml'), 'utf8');

  /** d, then the tenant id typed to confirm (a protected namespace). */
  async function deploy(c: RenderedConsole) {
    await c.press('d');
    await c.waitFor('Type acme-prod to confirm');
    for (const ch of 'acme-prod') await c.press(ch);
    await c.press(KEYS.enter);
  }

  it('requests an approval instead of failing, and deploys with it once another approver has approved', async () => {
    const ops = await consoleAs(ws.core, OPS, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await ops.waitFor((f) => f.includes('Services · acme-prod') && /callbot\s+v1\s+v1\s+Synced\s+Healthy/.test(f), 15_000);

    await deploy(ops);
    await waitForStatus(ops, '! deploy callbot to acme-prod: approval apr-', 30_000);
    await ops.settle();
    const requested = (await ws.core.store.read()).approvals;
    expect(requested).toHaveLength(1);
    const id = requested[0]!.id;
    expect(requested[0]).toMatchObject({ status: 'pending', action: 'deploy', tenantId: 'acme-prod', requestedBy: OPS, images: { callbot: image('v2') } });
    expect(statusOf(ops)).toBe(`! deploy callbot to acme-prod: approval ${id} requested; an approver approves it with \`a\`, then d again`);
    expect(ops.handle.store.getState().jobs.at(-1)).toMatchObject({
      state: 'waiting',
      steps: expect.arrayContaining([
        expect.objectContaining({ state: 'warn', title: `approval ${id} requested for callbot=v2 (namespace acme-prod needs one)` }),
        expect.objectContaining({ state: 'info', title: `next: an approver other than ${OPS} approves it (a, then y); then d again` }),
      ]),
    });
    // In the log: an outcome (!), with what to do next; nothing was written or applied.
    await ops.press('\t', '\t');
    let frame = await ops.waitFor((f) => f.includes('╒═ Pipeline log') && f.includes(`approval ${id} requested`));
    expect(frame).toMatch(/! deploy callbot to acme-prod/);
    expect(frame).not.toMatch(/✗ deploy callbot/);
    expect(frame).toContain('1 approval pending (a)');
    expect(manifest()).toContain(image('v1'));
    expect(await liveImage()).toBe(image('v1'));

    // Again before anyone approved: the same approval is still pending; no second request.
    await ops.press('\t', '\t');
    await deploy(ops);
    await waitForStatus(ops, `approval ${id} is still pending`, 30_000);
    await ops.settle();
    expect((await ws.core.store.read()).approvals).toHaveLength(1);

    // The requester cannot approve it; another approver does.
    await select(ops, id);
    await ops.press('y');
    await waitForStatus(ops, `${OPS} requested approval ${id} and cannot approve or reject it`);
    await ops.press(KEYS.escape);
    const lead = await consoleAs(ws.core, LEAD, { live: watcher, client });
    await lead.waitFor('1 approval pending (a)');
    await select(lead, id);
    await lead.press('y', 'y');
    await waitForStatus(lead, `✓ approve ${id} (deploy of acme-prod): approved by ${LEAD}`);
    await lead.settle();

    // The operator presses d again: the approval is passed, the gate checks it, the deploy completes.
    await deploy(ops);
    expect(await waitForStatus(ops, 'deploy callbot to acme-prod: ', 60_000)).toMatch(/^✓ deploy callbot to acme-prod: callbot → v2; tag /);
    await ops.settle();
    expect(await liveImage()).toBe(image('v2'));
    expect(manifest()).toContain(image('v2'));
    const actions = (await ws.core.audit.list()).map((e) => [e.action, e.target, e.actor]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['approval.request', id, OPS],
        ['approval.approve', id, LEAD],
        ['approval.used', id, OPS],
        ['deploy.run', 'acme-prod', OPS],
      ]),
    );
    expect((await ws.core.store.read()).approvals).toHaveLength(1);
    // The log says which approval the deploy went through with.
    const done = ops.handle.store.getState().jobs.at(-1)!;
    expect(done).toMatchObject({ state: 'ok', title: 'deploy callbot to acme-prod' });
    expect(done.steps[0]).toMatchObject({ state: 'ok', title: `approval ${id} (approved by ${LEAD}) covers callbot=v2` });
    await ops.waitFor((f) => /callbot\s+v2\s+v2\s+Synced/.test(f), 15_000);
  }, 180_000);

  it('does the same for an update of a protected tenant (u): requested, approved, then written', async () => {
    const file = () => readFileSync(path.join(ws.manifestsDir, 'beta-prod', 'services.yaml'), 'utf8');
    const ops = await consoleAs(ws.core, OPS, { live: watcher, client });
    await ops.waitFor('Services · acme-prod');
    await ops.press('\t', '\t', '\t', 'j', '\t');
    await ops.waitFor('Services · beta-prod');
    const update = async () => {
      await ops.press('u');
      await ops.waitFor('Type beta-prod to confirm');
      for (const ch of 'beta-prod') await ops.press(ch);
      await ops.press(KEYS.enter);
    };
    await update();
    await waitForStatus(ops, '! update callbot in beta-prod: approval apr-', 30_000);
    await ops.settle();
    const requested = (await ws.core.store.read()).approvals.filter((a) => a.tenantId === 'beta-prod');
    expect(requested).toMatchObject([{ status: 'pending', action: 'update-manifests', requestedBy: OPS, images: { callbot: image('v2') } }]);
    const id = requested[0]!.id;
    expect(statusOf(ops)).toContain(`approval ${id} requested; an approver approves it with \`a\`, then u again`);
    expect(file()).toContain(image('v1'));

    const lead = await consoleAs(ws.core, LEAD, { live: watcher, client });
    await lead.waitFor('1 approval pending (a)');
    await select(lead, id);
    await lead.press(KEYS.enter, 'y');
    await waitForStatus(lead, `✓ approve ${id} (update-manifests of beta-prod): approved by ${LEAD}; u / U on beta-prod`);
    await lead.settle();

    await update();
    await waitForStatus(ops, '✓ update callbot in beta-prod: callbot → v2', 30_000);
    await ops.settle();
    expect(file()).toContain(image('v2'));
    const events = (await ws.core.audit.list()).filter((e) => e.target === id || e.target === 'beta-prod').map((e) => e.action);
    expect(events).toEqual(['approval.request', 'approval.approve', 'approval.used', 'manifests.update']);
  }, 120_000);
});
