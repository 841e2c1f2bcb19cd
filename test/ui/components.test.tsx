/**
 * One component at a time, rendered with its props only (as Shopify cli-kit tests its
 * components), the frame compared with colours stripped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../source/ui/components/ConfirmDialog.js';
import { Footer } from '../../source/ui/components/Footer.js';
import { HelpOverlay } from '../../source/ui/components/HelpOverlay.js';
import { LogDetails } from '../../source/ui/components/LogDetails.js';
import { QuitDialog } from '../../source/ui/components/QuitDialog.js';
import { RollbackDialog } from '../../source/ui/components/RollbackDialog.js';
import { keyMode } from '../../source/ui/context.js';
import type { Job, JobStep, RollbackDialog as RollbackState } from '../../source/ui/model/state.js';
import { helpRows } from '../../source/ui/render/help-row.js';
import { inForce, paneKeys } from '../../source/ui/views.js';
import { QUIT_KEYS } from '../../source/ui/components/QuitDialog.keys.js';
import { ROLLBACK_TABLES } from '../../source/ui/components/RollbackDialog.keys.js';
import { renderAlone, version } from './helpers.js';

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function frameOf(element: React.ReactElement, info?: Parameters<typeof renderAlone>[1]): string {
  const rendered = renderAlone(element, info);
  unmount = rendered.unmount;
  return rendered.frame();
}

const mode = keyMode(false, false, true);

const step = (lines: number): JobStep => ({ key: 'out', title: 'apply', state: 'failed', lines: Array.from({ length: lines }, (_, i) => `line ${i + 1}`), startedAt: 0, finishedAt: 1 });
const job = (s: JobStep): Job => ({ id: 1, action: 'deploy', title: 'deploy callbot to shop', tenantId: 'shop', state: 'failed', startedAt: 0, finishedAt: 1, steps: [s] });

describe('Footer', () => {
  it('shows the footer keys of a view, help first, ↑↓ as one', () => {
    expect(frameOf(<Footer view={inForce(QUIT_KEYS, mode)} />)).toBe('y q Ctrl-C quit  n Esc stay');
    expect(frameOf(<Footer view={inForce(ROLLBACK_TABLES[0]!, mode)} />)).toBe('↑↓ choose  Enter next  Esc cancel');
  });

  it('shows only the first key of each pane binding, and no mutating key in read-only mode', () => {
    expect(frameOf(<Footer view={paneKeys('tenants', keyMode(true, true, true))} />)).toBe('? help  Tab pane  Enter services  v validate  a approvals  R refresh  / filter  q quit');
  });
});

describe('LogDetails', () => {
  it('shows the newest lines of a step, and earlier ones scrolled back', () => {
    const s = step(12);
    expect(frameOf(<LogDetails job={job(s)} step={s} back={0} width={40} height={8} />)).toMatchInlineSnapshot(`
      "╒═ Output · deploy callbot…  12 lines ═╕
      │… 7 earlier lines                     │
      │line 8                                │
      │line 9                                │
      │line 10                               │
      │line 11                               │
      │line 12                               │
      └──────────────────────────────────────┘"
    `);
    unmount?.();
    expect(frameOf(<LogDetails job={job(s)} step={s} back={3} width={40} height={8} />)).toMatchInlineSnapshot(`
      "╒═ Output …  12 lines · 3 later lines ═╕
      │… 4 earlier lines                     │
      │line 5                                │
      │line 6                                │
      │line 7                                │
      │line 8                                │
      │line 9                                │
      └──────────────────────────────────────┘"
    `);
    unmount?.();
    // Scrolled back past the first line: the first lines, no more.
    expect(frameOf(<LogDetails job={job(s)} step={s} back={99} width={40} height={8} />)).toMatchInlineSnapshot(`
      "╒═ Output …  12 lines · 7 later lines ═╕
      │line 1                                │
      │line 2                                │
      │line 3                                │
      │line 4                                │
      │line 5                                │
      │                                      │
      └──────────────────────────────────────┘"
    `);
  });
});

describe('QuitDialog', () => {
  it('names the running steps', () => {
    const running: Job[] = [{ ...job(step(0)), state: 'running' }];
    expect(frameOf(<QuitDialog running={running} width={50} height={7} />)).toMatchInlineSnapshot(`
      "╒═ Quit? ════════════════════════════════════════╕
      │A step is still running:                        │
      │  deploy callbot to shop                        │
      │                                                │
      │They stop at their next safe point. Quit anyway?│
      │ y or q or Ctrl-C quits, n or Esc stays.        │
      └────────────────────────────────────────────────┘"
    `);
  });
});

describe('QuitDialog, once the steps have ended', () => {
  it('says nothing runs any more instead of "0 steps are still running"', () => {
    const frame = frameOf(<QuitDialog running={[]} width={50} height={7} />);
    expect(frame).toContain('Nothing is running any more.');
    expect(frame).not.toContain('0 steps');
    expect(frame).not.toContain('stops them');
  });
});

describe('ConfirmDialog', () => {
  it('asks for the tenant id in a protected namespace, ticked once it matches', () => {
    const dialog = { kind: 'confirm' as const, action: 'deploy', title: 'deploy callbot to acme-prod', lines: ['acme-prod is a protected namespace.'], word: 'acme-prod', typed: 'acme-prod' };
    expect(frameOf(<ConfirmDialog dialog={dialog} width={50} height={8} />)).toMatchInlineSnapshot(`
      "╒═ Confirm ══════════════════════════════════════╕
      │deploy callbot to acme-prod?                    │
      │acme-prod is a protected namespace.             │
      │                                                │
      │Type acme-prod to confirm, Esc to cancel:       │
      │> acme-prod   ✓                                 │
      │                                                │
      └────────────────────────────────────────────────┘"
    `);
  });
});

describe('RollbackDialog', () => {
  it('shows the target, the reason and the question at the confirm step', () => {
    const candidates = [version('callbot', 'v2', { id: 'callbot-2' }), version('callbot', 'v1', { id: 'callbot-1' })];
    const dialog: RollbackState = { kind: 'rollback', stage: 'confirm', tenantId: 'shop', service: 'callbot', candidates, index: 1, reason: 'v2 breaks checkout', typed: '' };
    expect(frameOf(<RollbackDialog dialog={dialog} width={72} height={10} now={Date.now()} />)).toMatchInlineSnapshot(`
      "╒═ Roll back callbot · shop ═══════════════════════════════════════════╕
      │1 version › 2 reason › 3 confirm                                      │
      │Live now: ?                                                           │
      │                                                                      │
      │Target:   v1  (callbot-1, ready, scan passed)                         │
      │Reason:   v2 breaks checkout                                          │
      │Registry: asking about v1…                                            │
      │Roll callbot in shop back from ? to v1: manifest and cluster.         │
      │Press y or Enter to roll back, n or Esc to go back.                   │
      └──────────────────────────────────────────────────────────────────────┘"
    `);
  });
  it('in a protected namespace asks for the tenant id, and says that Esc goes back to the reason', () => {
    const candidates = [version('callbot', 'v2', { id: 'callbot-2' }), version('callbot', 'v1', { id: 'callbot-1' })];
    const dialog: RollbackState = { kind: 'rollback', stage: 'confirm', tenantId: 'acme-prod', service: 'callbot', candidates, index: 1, reason: 'incident 42', word: 'acme-prod', typed: 'acme' };
    const frame = frameOf(<RollbackDialog dialog={dialog} width={72} height={11} now={Date.now()} />);
    expect(frame).toContain('Type acme-prod to confirm, Esc to go back to the reason:');
    expect(frame).toMatch(/> acme\s+✗/);
  });
});

describe('HelpOverlay', () => {
  it('lists the rows it is given from the first, with the read-only note', () => {
    const rows = helpRows(keyMode(true, true, false)).slice(0, 4);
    expect(frameOf(<HelpOverlay rows={rows} index={0} readOnly width={80} height={9} />)).toMatchInlineSnapshot(`
      "╒═ Help · every key ══════════════════ 1/4 · ↑↓ scroll · / filter · Esc close ═╕
      │ KEY              ACTION                                       WHERE          │
      │›↑ k              move up                                      every pane, fl…│
      │ ↓ j              move down                                    every pane, fl…│
      │ PgUp Ctrl-B      one page up                                  every pane, fl…│
      │ PgDn Ctrl-F      one page down                                every pane, fl…│
      │                                                                              │
      │Read-only: keys that change anything are hidden. Lower case acts on the selec…│
      └──────────────────────────────────────────────────────────────────────────────┘"
    `);
  });
});
