/**
 * Approvals in the console (issue 8): the header counts the pending ones, `a` lists them, and an
 * approver approves (y / Enter, confirmed) or rejects (with a reason) under the same rules as
 * `ecp approve` / `ecp reject` — recorded in the store and the audit trail the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../source/core.js';
import type { Approval } from '../../source/domain/types.js';
import { writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderConsole, snapshot, workspace, type RenderedConsole, type Workspace } from './helpers.js';

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
  writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v2' }, { name: 'chatbot', tag: 'v1' }]);
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
  await ws.core.store.update((data) => {
    data.approvals.push(
      approval('apr-ops-deploy'),
      approval('apr-dev-update', { action: 'update-manifests', images: { chatbot: `${IMG}/chatbot:v2` }, requestedBy: 'dev@example.test', requestedAt: minutesAgo(30) }),
      approval('apr-old', { images: { callbot: `${IMG}/callbot:v1` }, requestedAt: minutesAgo(25 * 60) }),
      approval('apr-no', { images: { callbot: `${IMG}/callbot:v0` }, requestedAt: minutesAgo(180), status: 'rejected', decidedBy: LEAD, decidedAt: minutesAgo(120), reason: 'not during the campaign' }),
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
  await c.waitFor(() => statusOf(c).includes(text), timeoutMs).catch(() => {
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
    expect(footerOf(frame)).toMatch(/↑↓ choose\s+y Enter approve\s+n reject\s+Esc a q close/);
    await c.press('j');
    frame = await c.waitFor((f) => rowOf(f, 'apr-dev-update').includes('│›'));
    expect(frame).toContain('update-manifests of acme-prod');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Approvals ·') && f.includes('Services · acme-prod'));
    // Help lists the key and the view's keys.
    await c.press('?');
    frame = await c.waitFor('Help · every key');
    expect(frame).toMatch(/ a\s+approvals: pending ones first/);
    expect(frame).toMatch(/y Enter\s+approvals: approve the selected one/);
    expect(frame).toMatch(/ n\s+approvals: reject the selected one/);
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
    expect(events.at(-1)).toMatchObject({ actor: LEAD, action: 'approval.approve', target: 'apr-ops-deploy', details: { tenant: 'acme-prod', images: { callbot: `${IMG}/callbot:v3` }, reason: null } });
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
    expect(footerOf(frame)).toMatch(/type the reason, Enter reject\s+Esc back/);
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
    expect(footerOf(frame)).toMatch(/↑↓ choose\s+Esc a q close/);
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
