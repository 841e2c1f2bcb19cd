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

describe('the pipeline log of a deploy', () => {
  it('ends a step when the next one starts, and keys the inner steps under their deploy step', async () => {
    const { pipelineEventsTo } = await import('../../source/ui/actions.js');
    const { DEPLOY_STEPS } = await import('../../source/pipeline/deploy.js');
    const { c } = await shop();
    // The events `deploy` emits, in its order: update-manifests runs its own load / write steps,
    // validate its own load; "load" never says done.
    c.handle.jobs.run({
      action: 'deploy',
      title: 'deploy callbot to shop',
      tenantId: 'shop',
      work: async (log) => {
        const emit = pipelineEventsTo(log, DEPLOY_STEPS);
        emit({ step: 'update-manifests', status: 'start', message: 'update-manifests' });
        emit({ step: 'load', status: 'start', message: 'reading tenant shop' });
        emit({ step: 'registry-check', status: 'warn', message: 'registry check skipped' });
        emit({ step: 'write', status: 'start', message: 'writing 1 file(s)' });
        emit({ step: 'write', status: 'done', message: '1 file(s) written' });
        emit({ step: 'update-manifests', status: 'done', message: 'update-manifests done' });
        emit({ step: 'validate', status: 'start', message: 'validate' });
        emit({ step: 'load', status: 'start', message: 'reading 1 tenant(s)' });
        emit({ step: 'validate', status: 'warn', message: 'validate failed: 1 error(s)' });
        return { ok: false, summary: 'validate failed' };
      },
    });
    await c.settle();
    const steps = c.handle.store
      .getState()
      .jobs.at(-1)!
      .steps.map((s) => `${s.state} ${s.title}`);
    expect(steps).toEqual([
      'ok update-manifests done',
      'ok ↳ reading tenant shop',
      'warn ↳ registry check skipped',
      'ok ↳ 1 file(s) written',
      'warn validate failed: 1 error(s)',
      'ended ↳ reading 1 tenant(s)',
    ]);
  });

  it("keeps a rollback's step running while the manifest update inside it runs", async () => {
    const { pipelineEventsTo } = await import('../../source/ui/actions.js');
    const { c } = await shop();
    let finish: () => void = () => undefined;
    const id = c.handle.jobs.run({
      action: 'rollback',
      title: 'roll back callbot in shop',
      tenantId: 'shop',
      work: async (log) => {
        const emit = pipelineEventsTo(log, ['rollback']);
        emit({ step: 'rollback', status: 'start', message: 'callbot: v2 → v1' });
        emit({ step: 'load', status: 'start', message: 'reading tenant shop' });
        emit({ step: 'write', status: 'start', message: 'writing 1 file(s)' });
        await new Promise<void>((resolve) => (finish = resolve));
        emit({ step: 'rollback', status: 'done', message: 'callbot rolled back to v1' });
        return { ok: true, summary: 'v2 → v1' };
      },
    });
    const steps = () =>
      c.handle.store
        .getState()
        .jobs.find((j) => j.id === id)!
        .steps.map((s) => `${s.state} ${s.title}`);
    await c.waitFor(() => steps().length === 3);
    expect(steps()).toEqual(['running callbot: v2 → v1', 'ok ↳ reading tenant shop', 'running ↳ writing 1 file(s)']);
    finish();
    await c.settle();
    expect(steps()).toEqual(['ok callbot rolled back to v1', 'ok ↳ reading tenant shop', 'ok ↳ writing 1 file(s)']);
  });
});
