/**
 * Words that must not go stale or lie (issue 15 item 9): the status line after a refresh, after
 * the cluster answers again, and what `u` says when no version is ready — the whole console over
 * real manifests, a real store and a live snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, renderConsole, snapshot, version, workspace, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
let open: RenderedConsole | undefined;
afterEach(() => {
  open?.unmount();
  open = undefined;
});

const statusLine = (c: RenderedConsole) => c.frame().trimEnd().split('\n').at(-2)!;

async function shop(versions = [version('callbot', 'v1')]) {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
  await addVersions(ws.core, versions);
  const live = new FixedLive(snapshot([deployment('shop', 'callbot', `${IMG}/callbot:v1`)]));
  open = await renderConsole(ws.core, { live });
  await open.waitFor('Services · shop');
  return { ws, live, c: open };
}

describe('the status line', () => {
  it('stops saying "refreshing…" once the refresh has finished', async () => {
    const { c } = await shop();
    await c.press('R');
    expect(statusLine(c)).toBe('refreshing…');
    await c.settle();
    await c.waitFor(() => !statusLine(c).includes('refreshing'));
  });

  it('drops "monitor: … unreachable" when the cluster answers again, but keeps other monitor words', async () => {
    const { c, live } = await shop();
    c.handle.jobs.monitorEvent({ level: 'error', message: 'cluster unreachable: connect ECONNREFUSED' }, 'monitor');
    await c.waitFor(() => statusLine(c).startsWith('monitor: cluster unreachable'));
    live.set(snapshot([deployment('shop', 'callbot', `${IMG}/callbot:v1`)]));
    await c.waitFor(() => !statusLine(c).includes('unreachable'));
    c.handle.jobs.monitorEvent({ level: 'warn', message: 'shop/callbot Degraded: rolling back' }, 'monitor');
    live.set(snapshot([deployment('shop', 'callbot', `${IMG}/callbot:v1`)]));
    await c.settle();
    expect(statusLine(c)).toBe('monitor: shop/callbot Degraded: rolling back');
  });

  it('says why u changed nothing when no version is ready, not "already at the newest ready versions"', async () => {
    const { c } = await shop([version('callbot', 'v1', { status: 'built', securityScanResult: 'pending' })]);
    await c.press('u');
    await c.settle();
    await c.waitFor(() => statusLine(c).startsWith('✓ update callbot in shop'));
    expect(statusLine(c)).toBe('✓ update callbot in shop: nothing changed (callbot: no ready version is registered)');
  });
});
