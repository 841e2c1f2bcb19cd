/**
 * Issue 14, findings 3 and 6, on the sandbox without a Docker engine or a registry (images are
 * registered only; the registry check is skipped): a version whose rollout failed, or that was
 * rolled back, is failed with where and why and never chosen again unless named; the monitor
 * never rolls back a rollback.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { Monitor } from '../../source/monitor/monitor.js';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { deploy } from '../../source/pipeline/deploy.js';
import type { PipelineEvent } from '../../source/pipeline/events.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const image = (service: string, tag: string) => `localhost:5000/ecp-ai/${service}:${tag}`;
const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

async function world(config = 'requireApproval: []\n'): Promise<Scenario> {
  const s = await scenario(undefined, config);
  open.push(s);
  return s;
}

const deployCallbot = (s: Scenario, tenant: string) => deploy(s.core, s.client, { tenant, services: ['callbot'], build: false, skipRegistryCheck: true, timeoutMs: 20_000 });

const versionOf = async (s: Scenario, tag: string) => (await s.core.store.read()).versions.find((v) => v.imageTag === tag)!;
const auditActions = async (s: Scenario) => (await s.core.audit.list()).map((e) => e.action);

describe('failed versions (issue 14, finding 3)', () => {
  it('a failed rollout marks the version failed there; deploy elsewhere never picks it; naming it warns and is audited', async () => {
    const s = await world();
    await s.release('callbot:v2');
    expect((await deployCallbot(s, 'test-download')).ok).toBe(true);
    s.sandbox.setFailImage(/:bad-1\.2\.0$/);
    await s.release('callbot:bad-1.2.0');
    const failed = await deployCallbot(s, 'test-download');
    expect(failed.ok).toBe(false);

    const bad = await versionOf(s, 'bad-1.2.0');
    expect(bad.status).toBe('failed');
    expect(bad.failure).toMatchObject({ tenantId: 'test-download', namespace: 'test-download', cause: 'rollout-failed', recordId: failed.records[0]!.id });
    expect(bad.failure!.reason).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(await auditActions(s)).toContain('version.failed');

    // The next deploy of another tenant takes the newest good version, not the failed one.
    const prod = await deployCallbot(s, 'acme-prod');
    expect(prod.changes.map((c) => c.to)).toEqual([image('callbot', 'v2')]);
    expect(await s.liveImage('acme-prod', 'callbot')).toBe(image('callbot', 'v2'));

    // Named explicitly it is written, with a warning and an audit event.
    const events: PipelineEvent[] = [];
    const named = await updateManifests(s.core, {
      tenant: 'acme-prod',
      service: 'callbot',
      tag: 'bad-1.2.0',
      skipRegistryCheck: true,
      reason: 'reproduce the pull error',
      onEvent: (e) => events.push(e),
    });
    expect(named.written).toBe(true);
    expect(events.find((e) => e.step === 'plan' && e.status === 'warn')?.message).toMatch(/callbot:bad-1\.2\.0 failed in test-download .*rollout-failed.*named explicitly/);
    const chosen = (await s.core.audit.list()).find((e) => e.action === 'version.failed-chosen');
    expect(chosen).toMatchObject({ actor: 'operator@example.test', target: bad.id, details: { where: 'acme-prod/callbot', reason: 'reproduce the pull error' } });
  });

  it('a version rolled back by hand is failed; the next rollback and deploy never choose it', async () => {
    const s = await world();
    await s.release('callbot:v2');
    expect((await deployCallbot(s, 'test-download')).ok).toBe(true);
    await s.release('callbot:v3');
    expect((await deployCallbot(s, 'test-download')).ok).toBe(true);
    const back = await rollback(s.core, s.client, { tenant: 'test-download', service: 'callbot', reason: 'v3 leaks memory', skipRegistryCheck: true, timeoutMs: 20_000 });
    expect(back).toMatchObject({ ok: true, to: image('callbot', 'v2') });
    expect((await versionOf(s, 'v3')).failure).toMatchObject({ tenantId: 'test-download', cause: 'rolled-back', reason: 'v3 leaks memory', recordId: back.record.id });

    // deploy --no-build does not bring v3 back, here or in another tenant.
    expect((await deployCallbot(s, 'test-download')).changes).toEqual([]);
    expect((await deployCallbot(s, 'acme-prod')).changes.map((c) => c.to)).toEqual([image('callbot', 'v2')]);
    // A second rollback does not go "back" to v3: no other good version ran here.
    await expect(rollback(s.core, s.client, { tenant: 'test-download', service: 'callbot', reason: 'v2 too', skipRegistryCheck: true })).rejects.toThrow(
      /No earlier good version of test-download\/callbot to roll back to/,
    );
    expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));
  });
});

describe('auto-rollback never cascades (issue 14, finding 6)', () => {
  it('when the auto-rollback target also turns Degraded, the monitor stops and says a person decides', async () => {
    const s = await world('autoRollback:\n  services: [callbot]\nrequireApproval: []\n');
    await s.release('callbot:v2');
    expect((await deployCallbot(s, 'test-download')).ok).toBe(true);
    await s.release('callbot:broken');
    s.sandbox.setFailImage(/:broken$/);
    expect((await deployCallbot(s, 'test-download')).ok).toBe(false);

    const monitor = new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)), rollbackTimeoutMs: 20_000, skipRegistryCheck: true });
    const events: string[] = [];
    monitor.on('event', (e: { message: string }) => events.push(e.message));
    await monitor.tick();
    expect(events).toContain(`test-download/callbot: auto-rollback to ${image('callbot', 'v2')} succeeded`);

    // Then the rollback's own target turns Degraded: its pods are replaced and cannot pull it.
    s.sandbox.setFailImage(/:(broken|v2)$/);
    await s.client.core.deleteCollectionNamespacedPod({ namespace: 'test-download', labelSelector: 'app=callbot' });
    const degraded = async () => (await monitor.tick()).find((r) => r.tenantId === 'test-download' && r.service === 'callbot')?.health;
    while ((await degraded()) !== 'Degraded') await new Promise((resolve) => setImmediate(resolve));
    await monitor.tick();
    const autoRollbacks = (await s.core.store.read()).deployments.filter((d) => d.kind === 'auto-rollback');
    expect(autoRollbacks).toHaveLength(1);
    expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));
    const said = events.filter((e) => e.startsWith('no auto-rollback'));
    expect(said).toEqual([expect.stringMatching(/test-download\/callbot is Degraded after the auto-rollback to .*callbot:v2; ecp does not roll back a rollback automatically: decide by hand/)]);
    expect((await versionOf(s, 'broken')).failure).toMatchObject({ tenantId: 'test-download' });
    expect(readFileSync(s.manifest('test-download', 'callbot.yaml'), 'utf8')).toContain(image('callbot', 'v2'));
  });
});

describe('the monitor in read-only mode', () => {
  it('reports, and settles no record and rolls nothing back', async () => {
    const s = await world('autoRollback:\n  services: [callbot]\nrequireApproval: []\n');
    const seed = image('callbot', 'v1.0.0-seed01');
    await s.core.store.update((data) => {
      data.deployments.push({
        id: 'dep-open',
        tenantId: 'test-download',
        namespace: 'test-download',
        serviceName: 'callbot',
        toImage: seed,
        kind: 'deploy',
        status: 'progressing',
        actor: 'operator@example.test',
        startedAt: new Date().toISOString(),
      });
    });
    const readOnly = createCore(loadConfig({ cwd: s.repo, env: { ...process.env, ...s.env }, readOnly: true }));
    const events: string[] = [];
    const monitor = new Monitor(readOnly, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)) });
    monitor.on('event', (e: { message: string }) => events.push(e.message));
    const rows = await monitor.tick();
    expect(rows.find((r) => r.tenantId === 'test-download' && r.service === 'callbot')).toMatchObject({ liveImage: seed, health: 'Healthy' });
    expect(events).toEqual(['read-only mode: deployment records are not settled and nothing is rolled back automatically']);
    expect((await s.core.store.read()).deployments.find((d) => d.id === 'dep-open')?.status).toBe('progressing');
    // The same pass with writes allowed settles it.
    await new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)) }).tick();
    expect((await s.core.store.read()).deployments.find((d) => d.id === 'dep-open')?.status).toBe('succeeded');
  });
});
