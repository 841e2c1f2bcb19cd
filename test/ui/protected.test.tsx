/**
 * In a protected namespace the console's dialogs start nothing until the tenant id is typed
 * exactly, and the rollback dialog does not let the live version be chosen — over the sandbox
 * API server, with no Docker engine and no registry (one that refuses at once is configured).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../source/adapters/kube.js';
import type { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { KEYS, renderConsole, sandboxCluster, version, workspace, type RenderedConsole, type SandboxCluster, type Workspace } from './helpers.js';

const REGISTRY = '127.0.0.1:9';
const image = (tag: string) => `${REGISTRY}/ecp-ui/callbot:${tag}`;

describe('a protected namespace in the console', () => {
  let cluster: SandboxCluster;
  let ws: Workspace;
  let client: KubeClient;
  let watcher: LiveStateWatcher;
  let open: RenderedConsole | undefined;

  beforeAll(async () => {
    ws = workspace({ copySamples: false, env: { DOCKER_REGISTRY: REGISTRY, IMAGE_PREFIX: 'ecp-ui' } });
    writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v2' }], `${REGISTRY}/ecp-ui`);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    const versions = ['v1', 'v2', 'v3'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - i * 10), imageName: `${REGISTRY}/ecp-ui/callbot`, fullImageName: image(tag) }));
    await addVersions(ws.core, versions);
    await addDeployments(ws.core, [
      deployRecord('acme-prod', 'callbot', undefined, image('v1'), at(30), { id: 'd1', versionId: versions[0]!.id }),
      deployRecord('acme-prod', 'callbot', image('v1'), image('v2'), at(2), { id: 'd2', versionId: versions[1]!.id }),
    ]);
    cluster = await sandboxCluster(ws.manifestsDir, ['acme-prod']);
    ({ client, watcher } = cluster);
  });

  afterEach(async () => {
    await open?.settle();
    open?.unmount();
    open = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const jobs = () => open!.handle.store.getState().jobs.map((j) => j.action);

  async function type(text: string) {
    await open!.press(...text);
  }

  it('update: Enter, a wrong word or y start nothing; the tenant id typed exactly starts it', async () => {
    open = await renderConsole(ws.core, { live: watcher, client });
    await open.waitFor((f) => f.includes('Services · acme-prod') && f.includes('History · callbot'));
    await open.press('u');
    await open.waitFor('Type acme-prod to confirm, Esc to cancel');
    await open.press(KEYS.enter);
    await open.waitFor('Type acme-prod exactly to confirm, or Esc to cancel.');
    await type('y');
    await open.press(KEYS.enter);
    await type('acme');
    await open.press(KEYS.enter);
    expect(jobs()).toEqual([]);
    expect(open.frame()).toContain('> yacme');
    await open.press(...Array(5).fill(KEYS.backspace));
    await type('acme-prod');
    await open.press(KEYS.enter);
    await open.waitFor((f) => !f.includes('Confirm'));
    expect(jobs()).toEqual(['update']);
  });

  it('rollback: the live version is refused, and the typed confirmation guards the start', async () => {
    open = await renderConsole(ws.core, { live: watcher, client, size: { columns: 100, rows: 35 } });
    await open.waitFor((f) => f.includes('Services · acme-prod') && / v1 /.test(f) && /Synced/.test(f));
    await open.press('r');
    await open.waitFor((f) => f.includes('Reason:') && /Target:\s+v1 /.test(f));
    await open.press(KEYS.escape);
    let frame = await open.waitFor('Choose the version to go back to');
    // Offered first: the previous good one (v1); one up, the live one (v2).
    const selected = (f: string) => f.split('\n').find((l) => l.includes('│›')) ?? '';
    expect(selected(frame)).toMatch(/ v1 /);
    await open.press('k');
    await open.waitFor((f) => / v2 /.test(selected(f)));
    await open.press(KEYS.enter);
    frame = await open.waitFor('v2 is what runs now; choose an earlier version.');
    expect(frame).toContain('Choose the version to go back to');
    await open.press('j', KEYS.enter);
    await open.waitFor('Reason:');
    await type('incident 42');
    await open.press(KEYS.enter);
    await open.waitFor('Type acme-prod to confirm, Esc to go back to the reason');
    await open.press(KEYS.enter);
    await open.waitFor('Type acme-prod exactly to confirm, or Esc to go back to the reason.');
    await type('y');
    await open.press(KEYS.enter);
    expect(jobs()).toEqual([]);
    // Esc goes back to the reason, as the dialog says; the reason is kept.
    await open.press(KEYS.escape);
    await open.waitFor((f) => f.includes('Reason:') && !f.includes('to confirm, Esc'));
    await open.press(KEYS.enter);
    await open.waitFor('Type acme-prod to confirm');
    await type('acme-prod');
    await open.press(KEYS.enter);
    await open.waitFor((f) => !f.includes('Roll back callbot'));
    expect(jobs()).toEqual(['rollback']);
  });
});
