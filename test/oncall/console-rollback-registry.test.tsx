/**
 * Issue 15, item 1, in the console: the rollback's confirm step says what the registry answered
 * about the target. An image the registry does not have (404) is rolled back only because the
 * operator confirmed after reading that (the override, audited with the reason); a registry that
 * does not answer is a warning, and the rollback goes on. Without a record of an earlier image
 * the dialog offers the live Deployment's previous revision, as `ecp rollback` chooses it.
 */
import { afterEach, expect, it } from 'vitest';
import { addDeployments, addVersions, deployRecord, writeTenant } from '../ui/fixtures.js';
import { KEYS, renderConsole, sandboxCluster, version, workspace, type RenderedConsole, type SandboxCluster } from '../ui/helpers.js';
import { freePort } from '../helpers/private-registry.js';
import { describeRegistry, pushTinyImage } from '../helpers/registry.js';

let open: RenderedConsole | undefined;
let cluster: SandboxCluster | undefined;
afterEach(async () => {
  open?.unmount();
  open = undefined;
  await cluster?.stop();
  cluster = undefined;
});

/** shop runs callbot v2 (deployed by ecp after v1): the default rollback target is v1. */
async function shop(registry: string, prefix: string) {
  const ws = workspace({ copySamples: false, env: { DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } });
  const image = (tag: string) => `${registry}/${prefix}/callbot:${tag}`;
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }], `${registry}/${prefix}`);
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - i * 28), imageName: `${registry}/${prefix}/callbot`, fullImageName: image(tag) }));
  await addVersions(ws.core, versions);
  await addDeployments(ws.core, [
    deployRecord('shop', 'callbot', undefined, image('v1'), at(30), { id: 'shop-1', versionId: versions[0]!.id }),
    deployRecord('shop', 'callbot', image('v1'), image('v2'), at(2), { id: 'shop-2', versionId: versions[1]!.id }),
  ]);
  cluster = await sandboxCluster(ws.manifestsDir, ['shop']);
  open = await renderConsole(ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 100, rows: 35 } });
  await open.waitFor((f) => f.includes('History · callbot') && / v1 /.test(f) && /Synced\s+Healthy/.test(f));
  return { ws, image };
}

/** The frame's text with pane borders and line breaks gone: a wrapped sentence reads as one. */
const flat = (frame: string) => frame.replace(/[│║┃]/g, ' ').replace(/\s+/g, ' ');

async function toConfirmStep(console: RenderedConsole, reason: string): Promise<void> {
  // r opens at the reason, the pipeline's default target chosen.
  await console.press('r');
  await console.waitFor('Reason:');
  for (const ch of reason) await console.press(ch);
  await console.press(KEYS.enter);
}

it('a registry that does not answer is a warning in the confirm step, and the rollback goes on with it recorded', async () => {
  const registry = `127.0.0.1:${await freePort()}`;
  const { ws, image } = await shop(registry, 'ecp-ui');
  await toConfirmStep(open!, 'v2 breaks checkout');
  const frame = await open!.waitFor('the rollback goes on with this warning');
  expect(flat(frame)).toContain(`Registry ${registry} cannot be reached (ECONNREFUSED): the rollback goes on with this warning, recorded.`);
  await open!.press('y');
  await open!.waitFor('✓ roll back callbot in shop', 30_000);
  const record = (await ws.core.store.read()).deployments.find((d) => d.kind === 'rollback')!;
  expect(record).toMatchObject({ status: 'succeeded', toImage: image('v1') });
  expect(record.warnings?.[0]).toBe(`Registry ${registry} cannot be reached (ECONNREFUSED): image ${image('v1')} was not checked`);
});

await describeRegistry('the console rollback and a registry that does not have the image', (registry) => {
  it('says so in the confirm step; confirming then is the override, audited with the reason', async () => {
    const prefix = `ecp-ui-${Date.now().toString(36)}`;
    // v2 is in the registry, v1 (the target) is not.
    await pushTinyImage(registry, `${prefix}/callbot`, 'v2');
    const { ws, image } = await shop(registry, prefix);
    await toConfirmStep(open!, 'the nodes still have v1');
    const frame = await open!.waitFor('does not exist');
    expect(flat(frame)).toContain('The registry says v1 does not exist. Confirming rolls back without the registry check (audited, with your reason).');
    await open!.press('y');
    await open!.waitFor('✓ roll back callbot in shop', 30_000);
    expect((await ws.core.store.read()).deployments.find((d) => d.kind === 'rollback')).toMatchObject({ status: 'succeeded', toImage: image('v1') });
    const events = await ws.core.audit.list();
    expect(events.filter((e) => e.action === 'manifests.update').at(-1)?.details).toMatchObject({ registryCheck: 'skipped', reason: 'rollback: the nodes still have v1' });
    expect(events.find((e) => e.action === 'deploy.rollback')?.details).toMatchObject({ registryCheck: 'skipped', reason: 'the nodes still have v1' });
  });

  it('says the image is there when it is', async () => {
    const prefix = `ecp-ui-${Date.now().toString(36)}`;
    for (const tag of ['v1', 'v2']) await pushTinyImage(registry, `${prefix}/callbot`, tag);
    await shop(registry, prefix);
    await toConfirmStep(open!, 'v2 breaks checkout');
    await open!.waitFor('Registry: v1 is there.');
    await open!.press(KEYS.escape);
    await open!.waitFor((f) => f.includes('Reason:') && !f.includes('Registry: v1 is there.'));
  });
});

it("offers the live Deployment's previous revision where ecp recorded no deploy, as ecp rollback does", async () => {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
  await addVersions(ws.core, [version('callbot', 'v1', { createdAt: new Date(Date.now() - 7_200_000).toISOString() }), version('callbot', 'v2')]);
  cluster = await sandboxCluster(ws.manifestsDir, ['shop']);
  open = await renderConsole(ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 100, rows: 35 } });
  await open.waitFor((f) => /callbot\s+v1\s+v1\s+Synced\s+Healthy/.test(f));
  // Someone else's change: v1 is revision 1 now, and ecp has no record of either.
  const { setHeaderOptions } = await import('@kubernetes/client-node');
  const body = { spec: { template: { spec: { containers: [{ name: 'callbot', image: 'localhost:5000/ecp-ai/callbot:v2' }] } } } };
  await cluster.client.apps.patchNamespacedDeployment({ name: 'callbot', namespace: 'shop', body }, setHeaderOptions('Content-Type', 'application/strategic-merge-patch+json'));
  await open.waitFor((f) => /callbot\s+v1\s+v2\s+OutOfSync\s+Healthy/.test(f), 10_000);
  await open.waitFor((f) => f.includes('History · callbot') && / v1 /.test(f));
  await open.waitFor(() => open!.handle.store.getState().history.rollbackTarget?.liveImage === 'localhost:5000/ecp-ai/callbot:v2');
  await open.press('r');
  const frame = await open.waitFor('Reason:');
  expect(frame.split('\n').find((l) => l.includes('Target:'))).toMatch(/Target:\s+v1\b/);
});
