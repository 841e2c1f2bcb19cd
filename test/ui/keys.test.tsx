/**
 * The binding tables cannot drift from what keys do: every key a table shows routes to its own
 * binding and is listed in `?` help, and on every screen of the console a key no table shows
 * changes nothing. The two drifts seen before the tables (the output view advertised ↑↓ scroll
 * and did nothing; the quit question took an unlisted q) are checked end to end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { keyMode } from '../../source/ui/context.js';
import { bindingFor, keysText, NO_KEY, type KeyInput, type KeyPress, type KeyView } from '../../source/ui/keymap.js';
import type { Action } from '../../source/ui/model/reducer.js';
import type { Overlay, Pane } from '../../source/ui/model/state.js';
import { helpRows } from '../../source/ui/render/help-row.js';
import { allKeyViews, GLOBAL_KEYS, keyViewOf, paneKeys, type KeyMode } from '../../source/ui/views.js';
import { footerPairs } from '../../source/ui/components/Footer.js';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderConsole, snapshot, version, workspace, type RenderedConsole } from './helpers.js';

const MODES: KeyMode[] = [keyMode(false, false, true), keyMode(false, false, false), keyMode(true, false, true), keyMode(true, true, true)];
const PANES: Pane[] = ['tenants', 'services', 'history', 'log'];

/** Every view; the panes' table one pane at a time (Enter means something else in each). */
const viewsOf = (mode: KeyMode): KeyView[] => [...allKeyViews(mode).filter((v) => v.where !== 'every pane'), ...PANES.map((p) => paneKeys(p, mode))];
const route = (view: KeyView, press: KeyPress) => bindingFor(view.bindings, press.input, press.key) ?? bindingFor(GLOBAL_KEYS, press.input, press.key);

/** Every key a terminal sends that Ink tells apart: printable ASCII, the named keys, Ctrl-letters. */
function everyKey(): KeyPress[] {
  const presses: KeyPress[] = [];
  for (let c = 0x20; c < 0x7f; c++) {
    const ch = String.fromCharCode(c);
    presses.push({ input: ch, key: { ...NO_KEY, shift: ch !== ch.toLowerCase() } });
  }
  const named: (keyof KeyInput)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'];
  for (const name of named) presses.push({ input: '', key: { ...NO_KEY, [name]: true } });
  presses.push({ input: '', key: { ...NO_KEY, tab: true, shift: true } });
  for (let c = 0x61; c <= 0x7a; c++) presses.push({ input: String.fromCharCode(c), key: { ...NO_KEY, ctrl: true } });
  return presses;
}

const describePress = (p: KeyPress) =>
  `${JSON.stringify(p.input)} ${Object.entries(p.key)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join('+')}`;

describe('the binding tables', () => {
  it('route every key they show to the binding that shows it, in every view and mode', () => {
    for (const mode of MODES) {
      for (const view of viewsOf(mode)) {
        for (const binding of [...view.bindings, ...GLOBAL_KEYS]) {
          for (const key of binding.keys) {
            const routed = route(view, key.sample);
            // A view may take a global key over (Ctrl-C in the quit question): then it shows it itself.
            if (GLOBAL_KEYS.includes(binding) && routed !== binding)
              expect(
                routed?.keys.map((k) => k.display),
                `${view.where}: ${key.display}`,
              ).toContain(key.display);
            else expect(routed?.id, `${view.where}: ${key.display} (${binding.id})`).toBe(binding.id);
          }
        }
      }
    }
  });

  it('list every binding in force in the help, and none that is not', () => {
    for (const mode of MODES) {
      const rows = helpRows(mode);
      const inForce = new Set<string>();
      for (const view of allKeyViews(mode)) {
        for (const binding of view.bindings) {
          const row = rows.find((r) => r.keys === keysText(binding) && r.what === binding.help);
          expect(row, `${view.where}: ${binding.id}`).toBeDefined();
          expect(row!.where).toContain(binding.panes ? binding.panes.join(', ') : view.where);
          inForce.add(`${keysText(binding)}\n${binding.help}`);
        }
      }
      expect(rows.filter((r) => !inForce.has(`${r.keys}\n${r.what}`))).toEqual([]);
    }
  });

  it('hide every mutating key in read-only mode, but the approvals view keeps its decisions unless the config is read-only', () => {
    const viewer = keyMode(true, false, true);
    const readOnly = keyMode(true, true, true);
    const mutating = (mode: KeyMode) => allKeyViews(mode).flatMap((v) => v.bindings.filter((b) => b.mutating).map((b) => b.id));
    expect(mutating(viewer)).toEqual(['approvals:approve', 'approvals:reject']);
    expect(mutating(readOnly)).toEqual([]);
    expect(mutating(keyMode(false, false, true))).toEqual(expect.arrayContaining(['action:build', 'action:deploy', 'action:rollback', 'approvals:approve']));
  });

  it('show the cluster actions only while a cluster is connected', () => {
    const ids = (mode: KeyMode) => paneKeys('services', mode).bindings.map((b) => b.id);
    expect(ids(keyMode(false, false, false))).not.toContain('action:deploy');
    expect(ids(keyMode(false, false, true))).toEqual(expect.arrayContaining(['action:deploy', 'action:deploy-all', 'action:rollback']));
  });
});

let open: RenderedConsole | undefined;
afterEach(() => {
  open?.unmount();
  open = undefined;
});

/** shop (callbot with two versions, chatbot) and acme-prod (protected), a job with a step of 60 lines. */
async function consoleWithEverything() {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [
    { name: 'callbot', tag: 'v2' },
    { name: 'chatbot', tag: 'v1' },
  ]);
  writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v2' }]);
  await addVersions(ws.core, [version('callbot', 'v1'), version('callbot', 'v2')]);
  const live = new FixedLive(snapshot([deployment('shop', 'callbot', 'localhost:5000/ecp-ai/callbot:v2'), deployment('shop', 'chatbot', 'localhost:5000/ecp-ai/chatbot:v1')]));
  open = await renderConsole(ws.core, { live, size: { columns: 100, rows: 30 } });
  await open.waitFor('Services · acme-prod');
  let finish: () => void = () => undefined;
  open.handle.jobs.run({
    action: 'validate',
    title: 'a long step',
    tenantId: 'shop',
    work: async (log) => {
      log.step('out', 'printing');
      for (let i = 1; i <= 60; i++) log.line('out', `line ${i}`);
      await new Promise<void>((resolve) => (finish = resolve));
      return { ok: true, summary: 'done' };
    },
  });
  await open.waitFor('a long step');
  return { ws, open, finish: () => finish() };
}

describe('on every screen of the console', () => {
  it('a key no table shows changes nothing but the status line, which names the key', async () => {
    const { open: c, finish } = await consoleWithEverything();
    const store = c.handle.store;
    const jobId = store.getState().jobs[0]!.id;
    const rollback = (stage: 'target' | 'reason' | 'confirm', word?: string): Overlay => ({
      kind: 'rollback',
      stage,
      tenantId: 'shop',
      service: 'callbot',
      candidates: [],
      index: 0,
      reason: 'r',
      word,
      typed: '',
    });
    const overlays: [string, Overlay][] = [
      ['help', { kind: 'help', index: 0 }],
      ['details', { kind: 'details' }],
      ['output', { kind: 'log-details', jobId, stepKey: 'out', back: 0 }],
      ['quit', { kind: 'quit' }],
      ['confirm', { kind: 'confirm', action: 'validate', title: 't', lines: [], typed: '' }],
      ['confirm typed', { kind: 'confirm', action: 'validate', title: 't', lines: [], word: 'shop', typed: '' }],
      ['rollback target', rollback('target')],
      ['rollback reason', rollback('reason')],
      ['rollback confirm', rollback('confirm')],
      ['rollback typed', rollback('confirm', 'shop')],
      ['text', { kind: 'text', title: 'YAML', lines: ['a: 1'], top: 0 }],
      ['approvals', { kind: 'approvals', stage: 'list', reason: '' }],
      ['approve', { kind: 'approvals', stage: 'approve', reason: '' }],
      ['reject', { kind: 'approvals', stage: 'reject', reason: '' }],
    ];
    const screens: [string, Action[]][] = [
      ...PANES.map((pane): [string, Action[]] => [`pane ${pane}`, [{ type: 'focus', pane }]]),
      ['filter', [{ type: 'filter/open' }]],
      ['fleet', [{ type: 'view', view: 'fleet' }]],
      ['fleet filter', [{ type: 'view', view: 'fleet' }, { type: 'filter/open' }]],
      ['command line', [{ type: 'command/set', text: '' }]],
      ...overlays.map(([name, overlay]): [string, Action[]] => [name, [{ type: 'overlay/open', overlay }]]),
    ];
    const mode = keyMode(false, false, false);
    let unbound = 0;
    for (const [name, actions] of screens) {
      store.dispatch({ type: 'overlay/close' });
      store.dispatch({ type: 'filter/close', keep: false });
      store.dispatch({ type: 'command/set', text: undefined });
      store.dispatch({ type: 'view', view: 'panes' });
      for (const action of actions) store.dispatch(action);
      const view = keyViewOf(store.getState(), mode);
      for (const press of everyKey()) {
        if (route(view, press)) continue;
        store.dispatch({ type: 'message', message: undefined });
        const before = store.getState();
        c.handle.actions.key(press.input, press.key);
        const { message, ...after } = store.getState();
        const { message: _none, ...unchanged } = before;
        expect(after, `${name}: ${describePress(press)}`).toEqual(unchanged);
        // Printable keys, Enter and Tab say why they did nothing; the others stay silent.
        const named = press.key.return ? 'Enter' : press.key.tab ? 'Tab' : press.input.length === 1 && !press.key.ctrl ? press.input : undefined;
        if (named) expect(message?.text, `${name}: ${describePress(press)}`).toContain(named);
        else expect(message, `${name}: ${describePress(press)}`).toBeUndefined();
        expect(c.exited(), `${name}: ${describePress(press)}`).toBe(false);
        unbound++;
      }
    }
    // The probe did probe: most keys do nothing in most views.
    expect(unbound).toBeGreaterThan(screens.length * 50);
    finish();
  });

  it('scrolls the output of a step with the ↑↓ its footer shows', async () => {
    const { open: c, finish } = await consoleWithEverything();
    await c.press(KEYS.tab, KEYS.tab); // services → history → log
    await c.press('j', KEYS.enter);
    let frame = await c.waitFor('Output · a long step · printing');
    const footer = () => c.frame().trimEnd().split('\n').at(-1)!;
    expect(footer()).toBe('↑↓ scroll  Esc q back');
    expect(frame).toContain('line 60');
    expect(frame).not.toContain('line 20 ');
    await c.press(KEYS.up);
    frame = await c.waitFor('1 later line');
    expect(frame).not.toContain('line 60');
    await c.press('g');
    frame = await c.waitFor((f) => f.includes('line 1\n') || /│line 1\s+│/.test(f));
    expect(frame).not.toContain('earlier lines');
    await c.press('G');
    frame = await c.waitFor((f) => f.includes('line 60') && !f.includes('later line'));
    await c.press('q');
    await c.waitFor((f) => !f.includes('Output ·'));
    finish();
  });

  it('lists q in the quit question, where it quits', async () => {
    const { open: c, finish } = await consoleWithEverything();
    await c.press('q');
    await c.waitFor('Quit anyway?');
    expect(c.frame().trimEnd().split('\n').at(-1)).toBe('y q Ctrl-C quit  n Esc stay');
    await c.press('q');
    // The step is asked to stop (this one does not listen); q again quits at once.
    await c.waitFor('Stopping at the next safe point');
    expect(c.frame().trimEnd().split('\n').at(-1)).toBe('Ctrl-C q quit now');
    expect(c.exited()).toBe(false);
    await c.press('q');
    expect(c.exited()).toBe(true);
    finish();
  });

  it('shows in the footer the keys of the focused pane, from its table', async () => {
    const { open: c, finish } = await consoleWithEverything();
    const expected = footerPairs(paneKeys('services', keyMode(false, false, false)))
      .map(([k, l]) => `${k} ${l}`)
      .join('  ');
    expect(expected).toMatch(/^\? help {2}Tab pane {2}Enter details {2}b build {2}B build all {2}u update /);
    // Cut at the width of the terminal (100).
    const footer = c.frame().trimEnd().split('\n').at(-1)!;
    expect(footer.endsWith('…')).toBe(true);
    expect(expected.startsWith(footer.slice(0, -1))).toBe(true);
    expect(footer.length).toBeGreaterThan(90);
    finish();
  });

  it('names in the status line only keys that work there', async () => {
    const { open: c, finish } = await consoleWithEverything();
    const statusLine = () => c.frame().trimEnd().split('\n').at(-2)!;
    await c.press(KEYS.escape); // clears "started: a long step"
    await c.waitFor((f) => f.trimEnd().split('\n').at(-2) === '? help · : command · f fleet · Tab pane · q quit');
    await c.press('/');
    await c.waitFor((f) => f.trimEnd().split('\n').at(-2) !== '? help · : command · f fleet · Tab pane · q quit');
    expect(statusLine()).toBe('Esc clear');
    finish();
  });
});
