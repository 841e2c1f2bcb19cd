/**
 * Issue 15, item 1: rollback is the emergency path. A registry that does not answer is a warning
 * there (in the output, the record and the audit event), for `ecp rollback` and the monitor's
 * auto-rollback; a deploy of a new version still stops. A registry that answers 404 is refused
 * unless overridden (audited with the reason). With no record of an earlier good image, the
 * default target is the live Deployment's previous revision, as `kubectl rollout undo` picks it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { Monitor } from '../../source/monitor/monitor.js';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { describeTargets, type TargetKind } from '../helpers/cluster-target.js';
import { describePrivateRegistry, startPrivateRegistry, type PrivateRegistry } from '../helpers/private-registry.js';
import { describeRegistry } from '../helpers/registry.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { registerImages } from '../helpers/versions.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function withPrivateRegistry(kind: TargetKind, config = 'autoRollback:\n  services: [callbot]\n'): Promise<{ s: Scenario; registry: PrivateRegistry }> {
  const registry = await startPrivateRegistry();
  stops.push(() => registry.stop());
  const s = await scenario(registry.host, config, kind, { imageRegistry: registry.host });
  stops.push(() => s.stop());
  return { s, registry };
}

const auditOf = async (s: Scenario, action: string) => (await s.core.audit.list()).filter((e) => e.action === action);

describePrivateRegistry('rollback with the registry stopped (issue 15, item 1)', () => {
  describeTargets('rollback with the registry stopped', (kind) => {
    it('rolls back with a warning named in the output, the record and the audit event; a deploy still stops', async () => {
      const { s, registry } = await withPrivateRegistry(kind);
      const image = (tag: string) => `${registry.host}/ecp-ai/callbot:${tag}`;
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.release('callbot:v3');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.release('callbot:v4');
      await registry.stop();

      const deploy = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build']);
      expect(deploy.code).toBe(2);
      expect(deploy.stderr).toMatch(new RegExp(`Registry ${registry.host} cannot be reached \\(ECONNREFUSED\\) while checking image ${image('v4')}; nothing was written`));
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('v3'));

      const back = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', 'v3 is slow']);
      expect(back.code, back.stderr).toBe(0);
      const warning = `Registry ${registry.host} cannot be reached (ECONNREFUSED): image ${image('v2')} was not checked`;
      expect(back.stdout).toContain(`→ ${image('v2')} rolled back`);
      expect(back.stdout).toContain(`warning: ${warning}`);
      expect(back.stderr).toContain(`[registry-check] ! ${warning}`);
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('v2'));
      expect(readFileSync(s.manifest('test-download', 'callbot.yaml'), 'utf8')).toContain(image('v2'));
      const record = (await s.core.store.read()).deployments.find((d) => d.kind === 'rollback' && d.toImage === image('v2'))!;
      expect(record).toMatchObject({ status: 'succeeded', warnings: [warning] });
      const [event] = (await auditOf(s, 'deploy.rollback')).filter((e) => e.details.to === image('v2'));
      expect(event?.details).toMatchObject({ registryCheck: 'unanswered', warnings: [warning] });
      const [written] = (await auditOf(s, 'manifests.update')).slice(-1);
      expect(written?.details).toMatchObject({ registryCheck: 'unanswered', registryWarning: warning });
    });

    it("the monitor's auto-rollback goes on while the registry is stopped", async () => {
      const { s, registry } = await withPrivateRegistry(kind);
      const image = (tag: string) => `${registry.host}/ecp-ai/callbot:${tag}`;
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.target.setFailImage(/:broken$/);
      await s.release('callbot:broken');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--timeout', '30s'])).code).toBe(1);
      await registry.stop();

      const monitor = new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)), rollbackTimeoutMs: 20_000 });
      const events: string[] = [];
      monitor.on('event', (e: { message: string }) => events.push(e.message));
      await monitor.tick();
      expect(events).toContain(`test-download/callbot: auto-rollback to ${image('v2')} succeeded`);
      expect(events.join('\n')).toContain(`Registry ${registry.host} cannot be reached (ECONNREFUSED): image ${image('v2')} was not checked`);
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('v2'));
      const record = (await s.core.store.read()).deployments.find((d) => d.kind === 'auto-rollback')!;
      expect(record.warnings?.[0]).toMatch(/cannot be reached/);
    });
  });
});

await describeRegistry('rollback to an image the registry does not have (issue 15, item 1)', (registry) => {
  describeTargets('rollback to an image the registry does not have', (kind) => {
    it('is refused on a 404, nothing changed; --skip-registry-check overrides, audited with the reason', async () => {
      const s = await scenario(registry, '', kind);
      stops.push(() => s.stop());
      // Registered, never pushed: the shared registry answers 404 for it.
      const [gone] = await registerImages(s.dataDir, [`localhost:5000/ecp-ai/callbot:never-pushed-${Date.now()}`]);
      const live = await s.liveImage('test-download', 'callbot');
      const refused = await s.ecp(['rollback', 'test-download', 'callbot', '--to', gone!.id, '--reason', 'back']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`Image ${gone!.fullImageName} does not exist in registry localhost:5000; nothing was written`);
      expect(await s.liveImage('test-download', 'callbot')).toBe(live);
      expect((await s.core.store.read()).deployments).toHaveLength(0);

      const forced = await s.ecp(['rollback', 'test-download', 'callbot', '--to', gone!.id, '--reason', 'the registry lost it; the nodes have it', '--skip-registry-check']);
      expect(forced.code).toBe(0);
      expect(await s.liveImage('test-download', 'callbot')).toBe(gone!.fullImageName);
      const [written] = (await auditOf(s, 'manifests.update')).slice(-1);
      expect(written?.details).toMatchObject({ registryCheck: 'skipped', reason: 'rollback: the registry lost it; the nodes have it' });
      const [event] = await auditOf(s, 'deploy.rollback');
      expect(event?.details).toMatchObject({ registryCheck: 'skipped', reason: 'the registry lost it; the nodes have it' });
    });
  });
});

describeTargets('rollback without a record of an earlier image (issue 15, item 1)', (kind) => {
  it("goes to the live Deployment's previous revision, as kubectl rollout undo would, if that image is registered and good", async () => {
    const s = await scenario(undefined, '', kind);
    stops.push(() => s.stop());
    const seed = 'localhost:5000/ecp-ai/callbot:v1.0.0-seed01';
    await s.release('callbot:v2');
    // Someone else's change, which ecp never recorded: the seed image is now revision 1.
    expect((await s.target.kubectl(['-n', 'test-download', 'set', 'image', 'deployment/callbot', 'callbot=localhost:5000/ecp-ai/callbot:v2'])).code).toBe(0);
    expect((await s.target.kubectl(['-n', 'test-download', 'rollout', 'status', 'deployment/callbot', '--timeout=60s'])).code).toBe(0);

    const back = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', 'undo the hand edit', '--skip-registry-check', '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).record).toMatchObject({ kind: 'rollback', fromImage: 'localhost:5000/ecp-ai/callbot:v2', toImage: seed, status: 'succeeded' });
    expect(await s.liveImage('test-download', 'callbot')).toBe(seed);
  });

  it('offers no previous revision whose image is blocked or failed', async () => {
    const s = await scenario(undefined, '', kind);
    stops.push(() => s.stop());
    await s.release('callbot:v2');
    await s.core.store.update((data) => {
      for (const v of data.versions) if (v.imageTag === 'v1.0.0-seed01' && v.serviceName === 'callbot') v.status = 'failed';
    });
    expect((await s.target.kubectl(['-n', 'test-download', 'set', 'image', 'deployment/callbot', 'callbot=localhost:5000/ecp-ai/callbot:v2'])).code).toBe(0);
    expect((await s.target.kubectl(['-n', 'test-download', 'rollout', 'status', 'deployment/callbot', '--timeout=60s'])).code).toBe(0);
    const none = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', 'undo', '--skip-registry-check']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No earlier good version of test-download\/callbot to roll back to/);
  });
});
