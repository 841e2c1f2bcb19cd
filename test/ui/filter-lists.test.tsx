/**
 * `/` filters every list (issue 15, item 7), the help's, the approvals' and the why view's (pods,
 * log lines, events) too: every word typed
 * must be in a row; Enter keeps the filter (↑↓ then move in what it left), Esc clears it, a second
 * Esc closes the view, and the filter goes with the view. Component tests render the two views
 * with their props; the whole console shows the keys work end to end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../source/domain/types.js';
import { ApprovalsView } from '../../source/ui/components/ApprovalsView.js';
import type { WorkloadDiagnosis } from '../../source/domain/diagnosis.js';
import { HelpOverlay } from '../../source/ui/components/HelpOverlay.js';
import { WhyView } from '../../source/ui/components/WhyView.js';
import { keyMode } from '../../source/ui/context.js';
import { visibleHelpRows } from '../../source/ui/render/help-row.js';
import { writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderAlone, renderConsole, snapshot, workspace, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const approval = (id: string, over: Partial<Approval> = {}): Approval => ({
  id,
  action: 'deploy',
  tenantId: 'acme-prod',
  namespace: 'acme-prod',
  images: { callbot: `${IMG}/callbot:v3` },
  requestedBy: 'ops@example.test',
  requestedAt: minutesAgo(5),
  status: 'pending',
  ...over,
});
const APPROVALS = [
  approval('apr-callbot'),
  approval('apr-chatbot', { action: 'update-manifests', images: { chatbot: `${IMG}/chatbot:v2` }, requestedBy: 'dev@example.test', requestedAt: minutesAgo(30) }),
  approval('apr-shop', { tenantId: 'shop', namespace: 'shop', requestedAt: minutesAgo(60) }),
];

function alone(element: React.ReactElement): string {
  const rendered = renderAlone(element);
  cleanup = rendered.unmount;
  return rendered.frame();
}

describe('HelpOverlay, filtered', () => {
  const mode = keyMode(false, false, true);

  it('lists only the keys with every word, and shows the filter under them', () => {
    const rows = visibleHelpRows(mode, 'roll back');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => `${r.keys} ${r.what} ${r.where}`.toLowerCase().includes('roll') && `${r.keys} ${r.what} ${r.where}`.toLowerCase().includes('back'))).toBe(true);
    const frame = alone(<HelpOverlay rows={rows} index={0} readOnly={false} filter="roll back" filterEditing width={80} height={12} />);
    expect(frame).toContain(`1/${rows.length} ·`);
    expect(frame).toContain('roll the selected service back');
    expect(frame).not.toContain('this help');
    expect(frame).toContain('/roll back');
    expect(frame).toContain('Enter keep · Esc clear');
  });

  it('says when no key matches', () => {
    const frame = alone(<HelpOverlay rows={visibleHelpRows(mode, 'zzz')} index={0} readOnly={false} filter="zzz" width={80} height={9} />);
    expect(frame).toContain('0/0 ·');
    expect(frame).toContain('no key matches "zzz"');
  });
});

describe('ApprovalsView, filtered', () => {
  it('shows the rows it is given and the kept filter above the selected one', () => {
    const rows = [APPROVALS[1]!];
    const frame = alone(<ApprovalsView view={{ kind: 'approvals', stage: 'list', reason: '' }} rows={rows} selected={0} open={3} filter="chatbot" width={100} height={14} />);
    expect(frame).toContain('apr-chatbot');
    expect(frame).not.toContain('apr-callbot');
    expect(frame).toContain('/chatbot  Esc clear the filter');
  });

  it('says when no approval matches', () => {
    const frame = alone(<ApprovalsView view={{ kind: 'approvals', stage: 'list', reason: '' }} rows={[]} selected={0} open={3} filter="nobody" width={100} height={14} />);
    expect(frame).toContain('no approval matches "nobody"');
  });
});

const DIAGNOSIS: WorkloadDiagnosis = {
  kind: 'Deployment',
  namespace: 'shop',
  name: 'callbot',
  pods: [
    { name: 'callbot-6d9f-aaaaa', phase: 'Pending', ready: '0/1', restarts: 0, waiting: 'ImagePullBackOff' },
    { name: 'callbot-5c4b-bbbbb', phase: 'Running', ready: '1/1', restarts: 0 },
  ],
  events: [
    { at: '2026-12-01T10:00:00Z', type: 'Normal', reason: 'ScalingReplicaSet', object: 'Deployment/callbot', message: 'Scaled up replica set callbot-6d9f to 1', count: 1 },
    { at: '2026-12-01T10:00:05Z', type: 'Warning', reason: 'Failed', object: 'Pod/callbot-6d9f-aaaaa', message: 'Back-off pulling image callbot:v9', count: 4 },
  ],
};

describe('WhyView, filtered', () => {
  it('keeps the headings and the pods, log lines and events with every word', () => {
    const frame = alone(<WhyView service="callbot" tenantId="shop" diagnosis={DIAGNOSIS} scroll={0} filter="6d9f" width={80} height={14} />);
    expect(frame).toContain('callbot-6d9f-aaaaa Pending');
    expect(frame).not.toContain('callbot-5c4b-bbbbb');
    expect(frame).toContain('Back-off pulling image');
    expect(frame).toContain('ScalingReplicaSet Deployment/callbot');
    expect(frame).toContain('Events, newest first');
    expect(frame).toContain('/6d9f  Esc clear the filter');
    const narrower = alone(<WhyView service="callbot" tenantId="shop" diagnosis={DIAGNOSIS} scroll={0} filter="6d9f warning" width={80} height={14} />);
    expect(narrower).toContain('Back-off pulling image');
    expect(narrower).not.toContain('Scaled up');
  });
});

describe('/ in the whole console', () => {
  async function consoleWithApprovals(): Promise<RenderedConsole> {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v2' }]);
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
    await ws.core.store.update((data) => {
      data.approvals.push(...APPROVALS);
    });
    const live = new FixedLive(snapshot([deployment('acme-prod', 'callbot', `${IMG}/callbot:v2`, 1), deployment('shop', 'callbot', `${IMG}/callbot:v2`, 1)]));
    const c = await renderConsole({ ...ws.core, actor: async () => 'lead@example.test' }, { live, size: { columns: 120, rows: 30 } });
    cleanup = () => c.unmount();
    await c.waitFor('Services · acme-prod');
    return c;
  }

  it('filters the help; Esc clears the filter, Esc again closes the help, and it opens unfiltered', async () => {
    const c = await consoleWithApprovals();
    await c.press('?');
    await c.waitFor('Help · every key');
    await c.press('/', ...'approv');
    let frame = await c.waitFor('/approv');
    const shown = visibleHelpRows(keyMode(false, false, false), 'approv');
    expect(frame).toContain(`1/${shown.length} ·`);
    expect(frame).toContain('approvals: pending ones first');
    expect(frame).not.toContain('this help');
    // ↓ while typing is not a letter; Enter keeps the filter and ↓ moves in what it left.
    await c.press(KEYS.enter, KEYS.down);
    frame = await c.waitFor(`2/${shown.length} ·`);
    expect(frame).toContain('/approv  Esc clear the filter');
    await c.press(KEYS.escape);
    frame = await c.waitFor((f) => f.includes('Lower case acts on the selected service'));
    expect(frame).toContain('move down');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Help · every key'));
    // The panes' list is not filtered by what was typed in the help.
    expect(c.handle.store.getState().filter).toBe('');
    await c.press('?');
    frame = await c.waitFor('Help · every key');
    expect(frame).not.toContain('/approv');
  });

  it('filters the approvals by tenant, action, images or who; ↓ stays in the rows left; the filter goes with the view', async () => {
    const c = await consoleWithApprovals();
    await c.press('a');
    let frame = await c.waitFor('Approvals · 3 pending');
    expect(frame).toContain('apr-shop');
    await c.press('/', ...'acme');
    frame = await c.waitFor((f) => f.includes('/acme') && !f.includes('apr-shop'));
    expect(frame).toContain('apr-callbot');
    expect(frame).toContain('apr-chatbot');
    await c.press(KEYS.enter, 'G');
    frame = await c.waitFor((f) => (f.split('\n').find((l) => l.includes('apr-chatbot')) ?? '').includes('│›'));
    // Two words: both must be in the row (the requester and the image).
    await c.press('/', KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, ...'dev chatbot', KEYS.enter);
    frame = await c.waitFor((f) => f.includes('/dev chatbot') && !f.includes('apr-callbot'));
    expect(frame).toContain('apr-chatbot');
    // y acts on the row under the cursor of the filtered list.
    await c.press('y');
    frame = await c.waitFor('Approve the update-manifests of acme-prod (chatbot=v2)?');
    await c.press('n');
    await c.press(KEYS.escape);
    frame = await c.waitFor((f) => f.includes('apr-shop') && !f.includes('/dev chatbot'));
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Approvals ·'));
    await c.press('a');
    frame = await c.waitFor('Approvals · 3 pending');
    expect(frame).toContain('apr-shop');
  });

  it('filters the why view; Esc clears the filter, Esc again goes back, and it opens unfiltered', async () => {
    const c = await consoleWithApprovals();
    const why = { kind: 'why' as const, tenantId: 'acme-prod', namespace: 'acme-prod', service: 'callbot', workload: 'Deployment' as const, scroll: 0, diagnosis: DIAGNOSIS };
    c.handle.store.dispatch({ type: 'overlay/open', overlay: why });
    await c.waitFor('Why · callbot');
    await c.press('/', ...'backoff');
    let frame = await c.waitFor('/backoff');
    expect(frame).toContain('ImagePullBackOff');
    expect(frame).not.toContain('callbot-5c4b-bbbbb');
    await c.press(KEYS.enter, KEYS.escape);
    frame = await c.waitFor((f) => f.includes('callbot-5c4b-bbbbb'));
    expect(frame).toContain('Why · callbot');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Why · callbot'));
    c.handle.store.dispatch({ type: 'overlay/open', overlay: why });
    frame = await c.waitFor('Why · callbot');
    expect(frame).not.toContain('/backoff');
  });
});
