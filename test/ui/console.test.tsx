/**
 * The console over real manifests in a temp folder, a real store, and a live snapshot built
 * from Deployment objects: what it shows, and what keys do.
 */
import chalk from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderConsole, snapshot, version, workspace, type RenderedConsole } from './helpers.js';
import { waitUntil } from '../helpers/wait.js';

const IMG = 'localhost:5000/ecp-ai';
const ESC = '\u001b[';
let open: RenderedConsole | undefined;
afterEach(() => {
  open?.unmount();
  open = undefined;
});

/** Two tenants: shop (3 services: in sync, drifted, missing) and acme-prod (protected). */
async function shopWorkspace(options: { readOnly?: boolean } = {}) {
  const ws = workspace({ copySamples: false, readOnly: options.readOnly });
  writeTenant(ws.manifestsDir, 'shop', [
    { name: 'callbot', tag: 'v2', replicas: 2 },
    { name: 'chatbot', tag: 'v5' },
    { name: 'advisor', tag: 'v1' },
  ]);
  writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v2' }]);
  const hour = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  await addVersions(ws.core, [
    version('callbot', 'v1', { createdAt: hour(30), gitBranch: 'main', gitCommit: '1111111aaaa' }),
    version('callbot', 'v2', { createdAt: hour(2), gitBranch: 'release', gitCommit: '2222222bbbb' }),
    version('callbot', 'v3-bad', { createdAt: hour(1), status: 'blocked', securityScanResult: 'failed', vulnerabilitiesCount: 7 }),
    version('chatbot', 'v5', { createdAt: hour(3) }),
  ]);
  const live = new FixedLive(
    snapshot([
      deployment('shop', 'callbot', `${IMG}/callbot:v2`, 2),
      deployment('shop', 'chatbot', `${IMG}/chatbot:v4`, 1),
      deployment('acme-prod', 'callbot', `${IMG}/callbot:v2`, 1, { readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 }),
    ]),
  );
  return { ws, live };
}

describe('the console', () => {
  it('shows tenants with badges, services with drift and health, and the history of the selected service', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live, clusterLabel: 'context test (http://127.0.0.1:1)' });
    const frame = await open.waitFor((f) => f.includes('History · callbot') && f.includes('v3-bad'));
    // Header: where and what.
    expect(frame).toContain('context test (http://127.0.0.1:1)');
    expect(frame).toContain('registry localhost:5000/ecp-ai');
    expect(frame).toMatch(/\d+ synced\s+\d+ out of sync\s+\d+ degraded\s+\d+ unknown/);
    expect(frame).toMatch(/next in \d+s/);
    // Tenants, in manifest-folder order, with the worst state of their services.
    expect(frame).toMatch(/acme-prod/);
    expect(frame).toMatch(/shop/);
    // The first tenant (acme-prod) is selected; switch to shop.
    await open.press('\t', '\t', '\t', 'j');
    const shop = await open.waitFor('Services · shop');
    const line = (name: string) => shop.split('\n').find((l) => new RegExp(`││.${name} `).test(l)) ?? '';
    expect(line('callbot')).toMatch(/v2\s+v2\s+Synced\s+Healthy\s+passed\s+2\/2/);
    expect(line('chatbot')).toMatch(/v5\s+v4\s+OutOfSync\s+Healthy/);
    expect(line('advisor')).toMatch(/v1\s+-\s+Missing\s+Missing\s+unreg/);
  });

  it('moves the selection with j/k and arrows, shows the health message and the history of the selected row', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor('Services · acme-prod');
    await open.press('\t', '\t', '\t', 'j', '\t'); // tenants pane: down to shop; back to services
    await open.waitFor((f) => f.includes('Services · shop') && f.includes('History · callbot') && f.includes('v3-bad'));
    let frame = open.frame();
    // Newest first; the live version is marked, a blocked one says so.
    const history = frame.split('\n').filter((l) => /v1 |v2 |v3-bad/.test(l) && /ready|blocked/.test(l));
    expect(history.map((l) => /(v3-bad|v2|v1) /.exec(l)![1])).toEqual(['v3-bad', 'v2', 'v1']);
    expect(history[1]).toContain('●');
    expect(history[0]).toMatch(/blocked\s+failed\s+7/);
    await open.press('j');
    frame = await open.waitFor('History · chatbot');
    expect(frame).toContain('chatbot: live image localhost:5000/ecp-ai/chatbot:v4 differs from manifest');
    await open.press(KEYS.down);
    frame = await open.waitFor('History · advisor');
    expect(frame).toContain('Deployment shop/advisor is not in the cluster');
    await open.press('k', KEYS.up);
    await open.waitFor('History · callbot');
  });

  it('takes a run of keys that arrives as one chunk (key repeat over a slow link, a paste) key by key', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor('Services · acme-prod');
    await open.press('\t\t\t', 'j', '\t');
    await open.waitFor('Services · shop');
    await open.press('jj');
    await open.waitFor('History · advisor');
    await open.press('kk');
    await open.waitFor('History · callbot');
  });

  it('opens help listing every key, and closes it with Esc', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live, size: { columns: 100, rows: 50 } });
    await open.waitFor('Services · acme-prod');
    await open.press('?');
    const help = await open.waitFor('Help · every key');
    for (const key of ['↑ k', '↓ j', 'Tab →', 'Enter', '/', '?', 'R', ' q ', 'Ctrl-C', 'Esc', ' b ', ' B ', ' u ', ' v ', ' t ']) {
      expect(help).toContain(key);
    }
    await open.press(KEYS.escape);
    await open.waitFor((f) => !f.includes('Help · every key') && f.includes('Services · acme-prod'));
  });

  it('filters services as you type; Esc clears the filter', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor('Services · acme-prod');
    await open.press('\t', '\t', '\t', 'j', '\t');
    await open.waitFor('Services · shop');
    await open.press('/', 'o', 'u', 't');
    let frame = await open.waitFor('1/1 of 3');
    expect(frame).toContain('/out');
    expect(frame).toMatch(/chatbot\s+v5\s+v4\s+OutOfSync/);
    expect(frame).not.toMatch(/advisor\s+v1/);
    await open.press(KEYS.enter);
    await open.press(KEYS.escape);
    frame = await open.waitFor('2/3');
    expect(frame).toMatch(/advisor\s+v1/);
  });

  it('opens the details of a service with Enter', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live, size: { columns: 100, rows: 40 } });
    await open.waitFor('Services · acme-prod');
    await open.press(KEYS.enter);
    const frame = await open.waitFor('Details · callbot · acme-prod');
    expect(frame).toContain('acme-prod/services.yaml:');
    expect(frame).toContain('manifest image  localhost:5000/ecp-ai/callbot:v2');
    expect(frame).toContain('Waiting for rollout to finish');
    expect(frame).toContain('Live containers');
    expect(frame).toContain('no deployment recorded by ecp yet');
    await open.press(KEYS.escape);
    await open.waitFor((f) => !f.includes('Details ·'));
  });

  it('shows Unknown with the age of the last good data while the cluster is unreachable, and recovers', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor(/Healthy|Progressing/);
    const good = live.current;
    live.set({ ...good, reachable: false, lastGoodAt: Date.now() - 120_000, error: 'connect ECONNREFUSED 127.0.0.1:6443' });
    let frame = await open.waitFor((f) => f.includes('last good data 2m ago · retrying · cluster unreachable: connect ECONNREFUSED 127.0.0.1:6443') && /Unknown\s+Unknown/.test(f));
    expect(frame).toMatch(/callbot\s+v2\s+v2\s+Unknown\s+Unknown/);
    expect(frame).toContain('callbot: cluster unreachable (connect ECONNREFUSED 127.0.0.1:6443)');
    expect(open.handle.store.getState().tenants[0]!.rows[0]!.message).toContain('last good read 2m ago');
    live.set({ ...good, lastGoodAt: Date.now() });
    frame = await open.waitFor((f) => !f.includes('cluster unreachable') && /Synced|OutOfSync/.test(f));
    expect(frame).not.toMatch(/Unknown\s+Unknown/);
  });

  it('asks for nothing and says why when a key needs a selection it does not have', async () => {
    const ws = workspace({ copySamples: false });
    open = await renderConsole(ws.core, {});
    const frame = await open.waitFor('No tenants found in');
    expect(frame).toContain('no cluster');
    await open.press('b');
    await open.waitFor('Select a service first.');
  });
});

describe('quitting', () => {
  it('quits at once with nothing running, and asks first while a step runs', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor('Services · acme-prod');
    // A step that runs until the test lets it end: a real action definition, run by the real job runner.
    let finish: () => void = () => undefined;
    const slow = {
      id: 'validate' as const,
      scope: 'tenant' as const,
      mutating: false,
      describe: () => 'a slow step',
      run: () => new Promise<{ ok: boolean; summary: string }>((resolve) => (finish = () => resolve({ ok: true, summary: 'done' }))),
    };
    open.handle.jobs.start(slow, { tenant: open.handle.store.getState().tenants[0]! });
    await open.waitFor('a slow step');
    await open.press('q');
    await open.waitFor('still running');
    expect(open.exited()).toBe(false);
    await open.press('n');
    await open.waitFor((f) => !f.includes('still running'));
    await open.press(KEYS.ctrlC);
    await open.waitFor('Quit anyway?');
    await open.press('y');
    // Asked to stop, the step ends when it can (this one does not listen): then the console ends.
    await open.waitFor('Stopping at the next safe point');
    expect(open.exited()).toBe(false);
    finish();
    await waitUntil(() => open!.exited(), 'the console ended once the step did');
  });

  it('quits with q when nothing runs', async () => {
    const { ws, live } = await shopWorkspace();
    open = await renderConsole(ws.core, { live });
    await open.waitFor('Services · acme-prod');
    await open.press('q');
    expect(open.exited()).toBe(true);
  });
});

describe('read-only', () => {
  it('hides every mutating key from footer and help, and ignores them', async () => {
    const { ws, live } = await shopWorkspace({ readOnly: true });
    open = await renderConsole(ws.core, { live, size: { columns: 160, rows: 50 } });
    let frame = await open.waitFor('Services · acme-prod');
    expect(frame).toContain('READ-ONLY');
    const footer = frame.trimEnd().split('\n').at(-1)!;
    expect(footer).toContain('v validate');
    for (const word of ['b build', 'u update', 't tag', 'd deploy', 'r rollback']) expect(footer).not.toContain(word);
    await open.press('?');
    frame = await open.waitFor('Help · every key');
    expect(frame).toContain('validate the tenant');
    for (const text of ['build, push', 'update the selected', 'commit the tenant', 'roll the selected']) expect(frame).not.toContain(text);
    expect(frame).toContain('Read-only: keys that change anything are hidden.');
    await open.press(KEYS.escape, 'b', 'u', 'B');
    expect(open.handle.store.getState().jobs).toEqual([]);
  });

  it('is view-only for an actor who is not an operator', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
    const core = { ...ws.core, config: { ...ws.config, operators: ['someone-else@example.test'] } };
    open = await renderConsole(core, { size: { columns: 100, rows: 30 } });
    const frame = await open.waitFor('Services · shop');
    expect(frame).toMatch(/VIEW ONLY: \S+ is not an operator/);
    expect(open.handle.bindings().some((b) => b.mutating)).toBe(false);
  });
});

describe('colour', () => {
  it('has no escape codes at all with NO_COLOR, and colours without it', async () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const { ws, live } = await shopWorkspace();
      open = await renderConsole(ws.core, { live, env: { NO_COLOR: '1' } });
      await open.waitFor('Progressing');
      await open.press('j', '?', KEYS.escape, '/', 'x');
      expect(open.frame()).not.toContain('\u001b');
      open.unmount();
      open = await renderConsole(ws.core, { live, env: {} });
      const frame = await open.waitFor('Progressing');
      expect(frame).toContain(ESC);
    } finally {
      chalk.level = level;
    }
  });
});

describe('a tenant of 1 000 services', () => {
  it('renders only the visible rows and scrolls to the end', async () => {
    const ws = workspace({ copySamples: false });
    const services = Array.from({ length: 1000 }, (_, i) => ({ name: `svc-${String(i).padStart(4, '0')}`, tag: 'v1' }));
    writeTenant(ws.manifestsDir, 'big', services);
    const live = new FixedLive(snapshot(services.map((s) => deployment('big', s.name, `${IMG}/${s.name}:v1`))));
    open = await renderConsole(ws.core, { live, size: { columns: 100, rows: 30 } });
    let frame = await open.waitFor('1/1000');
    const rows = frame.split('\n').filter((l) => /svc-\d{4}/.test(l));
    expect(rows.length).toBeLessThan(30);
    expect(frame).toContain('svc-0000');
    await open.press('G');
    frame = await open.waitFor('1000/1000');
    expect(frame).toContain('svc-0999');
    expect(frame).not.toContain('svc-0000');
    await open.press(KEYS.up);
    await open.waitFor('999/1000');
  });
});
