/**
 * No lag after headless changes (issue 15 item 8): the console follows the manifests folder and
 * the store by file-system events, not only its 30 s interval, and its AGE column ticks between
 * reads. Real files in a temp folder, a real store, the console rendered whole.
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

describe('the console after a change from another terminal', () => {
  it('shows a manifest edit and a newly registered version at once, not at the next 30 s read', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
    await addVersions(ws.core, [version('callbot', 'v1')]);
    open = await renderConsole(ws.core, { live: new FixedLive(snapshot([deployment('shop', 'callbot', `${IMG}/callbot:v1`)])), intervalMs: 600_000 });
    const c = open;
    await c.waitFor((f) => /callbot\s+v1\s+v1\s+Synced/.test(f) && f.includes('History · callbot'));
    // As `ecp update-manifests` from another terminal would: the manifest names v2.
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
    await c.waitFor((f) => /callbot\s+v2\s+v1\s+OutOfSync/.test(f), 3000);
    // As `ecp build` would: v2 is registered in the store.
    await addVersions(ws.core, [version('callbot', 'v2')]);
    await c.waitFor((f) => /│[ ›]◆ v2 /.test(f), 3000);
    expect(c.handle.store.getState().refresh.nextAt! - Date.now()).toBeGreaterThan(500_000);
  });

  it('ticks the AGE column between reads', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
    await addVersions(ws.core, [version('callbot', 'v1')]);
    const fresh = deployment('shop', 'callbot', `${IMG}/callbot:v1`);
    fresh.metadata!.creationTimestamp = new Date(Date.now() - 3_000).toISOString();
    open = await renderConsole(ws.core, { live: new FixedLive(snapshot([fresh])), intervalMs: 600_000 });
    const c = open;
    const age = (f: string) => /callbot .*?(\d+)s│/.exec(f.split('\n').find((l) => l.includes('›callbot')) ?? '')?.[1];
    const first = Number(age(await c.waitFor((f) => age(f) !== undefined)));
    await c.waitFor((f) => Number(age(f)) >= first + 2, 4000);
  });
});
