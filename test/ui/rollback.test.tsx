/**
 * Rolling back from the console, over the sandbox API server, the registry of
 * scripts/test-env.sh (skipped loudly without it, failed under CI=true) and a temp store:
 * pick the version (the previous good one is offered), give a reason, confirm — typing the
 * tenant id in a protected namespace — and the cluster, the manifest and the store show it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { KubeClient } from '../../source/adapters/kube.js';
import type { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { KEYS, renderConsole, sandboxCluster, version, workspace, type RenderedConsole, type SandboxCluster, type Workspace } from './helpers.js';
import { describeRegistry, pushTinyImage } from '../helpers/registry.js';

await describeRegistry('rollback from the console', (registry) => {
  let cluster: SandboxCluster;
  let ws: Workspace;
  let client: KubeClient;
  let watcher: LiveStateWatcher;
  let open: RenderedConsole | undefined;
  const prefix = 'ecp-ui';
  const image = (tag: string) => `${registry}/${prefix}/callbot:${tag}`;

  beforeAll(async () => {
    ws = workspace({ copySamples: false, env: { DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } });
    for (const tenant of ['shop-dev', 'acme-prod']) writeTenant(ws.manifestsDir, tenant, [{ name: 'callbot', tag: 'v2' }], `${registry}/${prefix}`);
    for (const tag of ['v1', 'v2']) await pushTinyImage(registry, `${prefix}/callbot`, tag);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - i * 28), imageName: `${registry}/${prefix}/callbot`, fullImageName: image(tag) }));
    await addVersions(ws.core, versions);
    await addDeployments(
      ws.core,
      ['shop-dev', 'acme-prod'].flatMap((tenant) => [
        deployRecord(tenant, 'callbot', undefined, image('v1'), at(30), { id: `${tenant}-1`, versionId: versions[0]!.id }),
        deployRecord(tenant, 'callbot', image('v1'), image('v2'), at(2), { id: `${tenant}-2`, versionId: versions[1]!.id }),
      ]),
    );
    cluster = await sandboxCluster(ws.manifestsDir, ['shop-dev', 'acme-prod']);
    ({ client, watcher } = cluster);
  });

  afterEach(() => {
    open?.unmount();
    open = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const liveImage = async (tenant: string) => (await client.readDeployment(tenant, 'callbot'))?.spec?.template?.spec?.containers?.[0]?.image;

  it('walks target → reason → confirm, and the sandbox, the manifest and the store show the rollback', async () => {
    open = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await open.waitFor((f) => f.includes('Services · acme-prod') && /Synced\s+Healthy/.test(f));
    await open.press('\t', '\t', '\t', 'j', '\t'); // tenants: down to shop-dev; back to services
    await open.waitFor((f) => f.includes('Services · shop-dev') && f.includes('History · callbot') && / v1 /.test(f));

    // r comes with the default target chosen, at the reason; Esc goes to the versions, Esc again cancels.
    await open.press('r');
    await open.waitFor((f) => f.includes('Roll back callbot · shop-dev') && /Target:\s+v1 /.test(f) && f.includes('Reason:'));
    // The step names the change and the manifest line it rewrites (the pipeline's dry run).
    await open.waitFor((f) => f.includes('callbot v2 → v1') && f.includes(`+          image: ${image('v1')}`));
    await open.press(KEYS.escape);
    await open.waitFor('Choose the version to go back to');
    await open.press(KEYS.escape);
    await open.waitFor((f) => !f.includes('Roll back callbot'));
    expect(open.handle.store.getState().jobs).toEqual([]);

    await open.press('r', KEYS.escape);
    let frame = await open.waitFor('Choose the version to go back to');
    // The previous good version is offered first.
    expect(frame.split('\n').find((l) => l.includes('│›'))).toMatch(/ v1 /);
    // The live version cannot be chosen.
    await open.press('k', KEYS.enter);
    await open.waitFor('v2 is what runs now; choose an earlier version.');
    await open.press('j', KEYS.enter);
    await open.waitFor('Reason:');
    await open.press(KEYS.enter);
    await open.waitFor('A reason is required');
    for (const ch of 'v2 breaks checkout') await open.press(ch);
    // Once a reason is typed, the status line no longer says one is required.
    await open.waitFor((f) => f.includes('v2 breaks checkout') && !f.includes('A reason is required'));
    await open.press(KEYS.enter);
    frame = await open.waitFor('Press y or Enter to roll back');
    expect(frame).toContain('Roll callbot in shop-dev back from v2 to v1');
    await open.press('y');
    frame = await open.waitFor('✓ roll back callbot in shop-dev', 30_000);
    expect(frame).toContain('v2 → v1');

    expect(await liveImage('shop-dev')).toBe(image('v1'));
    expect(readFileSync(path.join(ws.manifestsDir, 'shop-dev', 'services.yaml'), 'utf8')).toContain(image('v1'));
    const record = (await ws.core.store.read()).deployments.find((d) => d.tenantId === 'shop-dev' && d.kind === 'rollback');
    expect(record).toMatchObject({ status: 'succeeded', fromImage: image('v2'), toImage: image('v1'), reason: 'v2 breaks checkout' });
    // The console follows: the live tag is v1 now.
    await open.waitFor((f) => /callbot\s+v1\s+v1\s+Synced/.test(f), 10_000);
  });

  it('asks for the tenant id in a protected namespace', async () => {
    open = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await open.waitFor((f) => f.includes('Services · acme-prod') && f.includes('History · callbot') && / v1 /.test(f));
    await open.press('r');
    await open.waitFor('Reason:');
    for (const ch of 'incident 42') await open.press(ch);
    await open.press(KEYS.enter);
    let frame = await open.waitFor('to confirm, Esc to go back to the reason');
    expect(frame).toContain('Type acme-prod to confirm');
    await open.press('y', KEYS.enter);
    await open.waitFor('Type acme-prod exactly to confirm');
    expect(await liveImage('acme-prod')).toBe(image('v2'));
    await open.press(KEYS.backspace);
    for (const ch of 'acme-prod') await open.press(ch);
    await open.press(KEYS.enter);
    frame = await open.waitFor('✓ roll back callbot in acme-prod', 30_000);
    expect(await liveImage('acme-prod')).toBe(image('v1'));
  });

  it('in a filtered history, r takes the version under the cursor, not the row of the unfiltered list', async () => {
    // After the test above, acme-prod runs v1; the history lists v2 then v1.
    open = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await open.waitFor((f) => f.includes('Services · acme-prod') && /callbot\s+v1\s+v1\s+Synced/.test(f) && f.includes('History · callbot'));
    await open.press(KEYS.tab, '/', 'v', '1', KEYS.enter);
    await open.waitFor((f) => f.includes('/v1 ') && /│›● v1 /.test(f) && !/ v2 /.test(f.split('History')[1] ?? ''));
    await open.press('r');
    await open.waitFor('v1 is what runs now; choose an earlier version.');
    expect(open.handle.store.getState().jobs).toEqual([]);
  });

  it("r on a fleet cell acts on that tenant's service", async () => {
    open = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await open.waitFor((f) => f.includes('Services · acme-prod') && /callbot\s+v1\s+v1\s+Synced/.test(f));
    await open.press('f', KEYS.right);
    await open.waitFor((f) => f.includes('Fleet ·') && f.includes('▸shop-dev'));
    // shop-dev's history loads for the cell; r reads it as in the panes. After the rollback above,
    // v2 (rolled back from) is no good target: the pipeline's answer, for shop-dev, not acme-prod.
    await open.waitFor(() => open!.handle.store.getState().history.tenantId === 'shop-dev' && !open!.handle.store.getState().history.loading);
    await open.press('r');
    await open.waitFor('No earlier good version of shop-dev/callbot to roll back to');
    expect(open.handle.store.getState().jobs).toEqual([]);
  });
});
