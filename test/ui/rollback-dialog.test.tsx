/**
 * The console's rollback dialog (issue 14): it offers the target `ecp rollback` would choose (or
 * says there is none), refuses the live version, and in a protected namespace asks for the
 * tenant id before anything runs. Over the sandbox API server; no engine or registry (nothing
 * here reaches the registry check).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../source/adapters/kube.js';
import type { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { KEYS, renderConsole, sandboxCluster, version, workspace, type RenderedConsole, type SandboxCluster, type Workspace } from './helpers.js';

describe('rollback dialog', () => {
  let cluster: SandboxCluster | undefined;
  let ws: Workspace;
  let client: KubeClient;
  let watcher: LiveStateWatcher;
  let open: RenderedConsole | undefined;
  const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;
  const tenants = ['acme-prod', 'edge-prod', 'shop-dev'];

  beforeAll(async () => {
    ws = workspace({ copySamples: false });
    for (const tenant of tenants) writeTenant(ws.manifestsDir, tenant, [{ name: 'callbot', tag: 'v2' }]);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    // v3 is the newest version, but only shop-dev ever ran it (and went back to v2 since).
    const versions = ['v1', 'v2', 'v3'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - i * 10) }));
    await addVersions(ws.core, versions);
    await addDeployments(ws.core, [
      ...['acme-prod', 'shop-dev'].flatMap((tenant) => [
        deployRecord(tenant, 'callbot', undefined, image('v1'), at(30), { id: `${tenant}-1` }),
        deployRecord(tenant, 'callbot', image('v1'), image('v2'), at(20), { id: `${tenant}-2` }),
      ]),
      deployRecord('shop-dev', 'callbot', image('v2'), image('v3'), at(5), { id: 'shop-dev-3', status: 'failed' }),
      deployRecord('edge-prod', 'callbot', undefined, image('v2'), at(20), { id: 'edge-prod-1' }),
    ]);
    cluster = await sandboxCluster(ws.manifestsDir, tenants);
    ({ client, watcher } = cluster);
  });

  afterEach(() => {
    open?.unmount();
    open = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** The console on tenant number `index` (0: acme-prod), its history loaded. */
  async function consoleOn(index: number): Promise<RenderedConsole> {
    const c = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    open = c;
    await c.waitFor((f) => f.includes('Services · acme-prod') && /Synced\s+Healthy/.test(f));
    if (index > 0) await c.press('\t', '\t', '\t', ...Array<string>(index).fill('j'), '\t');
    await c.waitFor((f) => f.includes(`Services · ${tenants[index]}`) && f.includes('History · callbot') && / v1 /.test(f));
    return c;
  }

  it("says there is no earlier good version where `ecp rollback` would, instead of offering another tenant's version", async () => {
    const c = await consoleOn(1);
    await c.press('r');
    await c.waitFor('No earlier good version of edge-prod/callbot to roll back to');
    expect(c.frame()).not.toContain('Choose the version to go back to');
  });

  it("r pressed as the selection reaches a tenant waits for that tenant's target, never offering the last one's", async () => {
    const c = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    open = c;
    await c.waitFor((f) => f.includes('Services · acme-prod') && /Synced\s+Healthy/.test(f));
    await c.waitFor((f) => f.includes('History · callbot') && / v1 /.test(f));
    // acme-prod's target (v1) is read; edge-prod's is not yet when r comes.
    await c.press('\t', '\t', '\t', 'j', '\t', 'r');
    await c.waitFor('No earlier good version of edge-prod/callbot to roll back to');
    expect(c.frame()).not.toContain('Reason:');
    // On to shop-dev, r at once: its own target (v1) once read, and the wait's line gone with it.
    await c.press('\t', '\t', '\t', 'j', '\t', 'r');
    const frame = await c.waitFor((f) => f.includes('Roll back callbot · shop-dev') && /Target:\s+v1 /.test(f));
    expect(frame).not.toContain('Reading the rollback target');
  });

  it('offers the previous good version and refuses the live one', async () => {
    const c = await consoleOn(2);
    // The default target comes chosen: the reason first; Esc goes to the list of versions.
    await c.press('r');
    await c.waitFor((f) => f.includes('Reason:') && /Target:\s+v1 /.test(f));
    await c.press(KEYS.escape);
    const frame = await c.waitFor('Choose the version to go back to');
    expect(frame.split('\n').find((l) => l.includes('│›'))).toMatch(/ v1 /);
    await c.press('k', KEYS.enter);
    await c.waitFor('v2 is what runs now; choose an earlier version.');
    expect(c.frame()).toContain('Choose the version to go back to');
    expect(c.handle.store.getState().jobs).toEqual([]);
  });

  it('asks for the tenant id in a protected namespace and starts nothing on a plain y', async () => {
    const c = await consoleOn(0);
    await c.press('r');
    await c.waitFor('Reason:');
    for (const ch of 'incident 42') await c.press(ch);
    await c.press(KEYS.enter);
    // The typed step's Esc goes back to the reason (its own key table says so).
    const frame = await c.waitFor('Type acme-prod to confirm, Esc to');
    expect(frame).not.toContain('Esc to cancel');
    await c.press('y', KEYS.enter);
    await c.waitFor('Type acme-prod exactly to confirm');
    expect(c.handle.store.getState().jobs).toEqual([]);
    expect(await client.readDeployment('acme-prod', 'callbot').then((d) => d?.spec?.template?.spec?.containers?.[0]?.image)).toBe(image('v2'));
  });

  it('asks for the tenant id before updating manifests in a protected namespace', async () => {
    const c = await consoleOn(0);
    await c.press('u');
    const frame = await c.waitFor('acme-prod is a protected namespace.');
    expect(frame).toContain('Type acme-prod to confirm');
    await c.press('y', KEYS.enter);
    await c.waitFor('Type acme-prod exactly to confirm');
    expect(c.handle.store.getState().jobs).toEqual([]);
  });
});
