import { afterEach, expect, it } from 'vitest';
import { KubeClient } from '../../source/adapters/kube.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { Monitor } from '../../source/monitor/monitor.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { describeTargets, type TargetKind } from '../helpers/cluster-target.js';
import { describeRegistry } from '../helpers/registry.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

const image = (service: string, tag: string) => `localhost:5000/ecp-ai/${service}:${tag}`;
const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** callbot deployed at v2, then at v3: a rollback has somewhere to go. */
async function deployedTwice(registry: string, kind: TargetKind): Promise<Scenario> {
  const s = await scenario(registry, '', kind);
  open.push(s);
  for (const tag of ['v2', 'v3']) {
    await s.release(`callbot:${tag}`);
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
  }
  return s;
}

await describeRegistry('rollback and monitoring under concurrent change and outages', (registry) => {
  describeTargets('rollback and monitoring under concurrent change and outages', (kind) => {
    it('retries a rollback whose Deployment changed between read and patch, keeping the other change', async () => {
      const s = await deployedTwice(registry, kind);

      // Someone scales the Deployment right after ecp read it, before ecp's patch arrives.
      class RacingClient extends KubeClient {
        raced = false;
        override async setContainerImage(namespace: string, name: string, container: string, target: string, resourceVersion: string) {
          if (!this.raced) {
            this.raced = true;
            await this.apps.patchNamespacedDeployment({ name, namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
          }
          return super.setContainerImage(namespace, name, container, target, resourceVersion);
        }
      }
      await s.target.clearRequests();
      const result = await rollback(s.core, new RacingClient(s.client.cluster), { tenant: 'test-download', service: 'callbot', reason: 'race', timeoutMs: 20_000 });
      expect(result.ok).toBe(true);
      const live = await s.client.readDeployment('test-download', 'callbot');
      expect(live?.spec?.replicas).toBe(4);
      expect(live?.spec?.template?.spec?.containers?.find((c) => c.name === 'callbot')?.image).toBe(image('callbot', 'v2'));
      const patches = await s.target.requests({ verb: 'patch', resource: 'deployments' });
      // The race's own patch, ecp's refused one, then ecp's retry after re-reading. The
      // controllers' status writes for the new replicas (the real server's, the sandbox's) can
      // move the resourceVersion once more in between (another 409, another re-read, seen on both
      // under load); never a blind overwrite.
      const codes = patches.map((p) => p.code);
      expect(codes[0]).toBe(200);
      expect(codes.at(-1)).toBe(200);
      expect(codes.slice(1, -1).length).toBeGreaterThanOrEqual(1);
      expect(codes.slice(1, -1).every((c) => c === 409)).toBe(true);
    });

    it('refuses to overwrite an image someone else set meanwhile', async () => {
      const s = await deployedTwice(registry, kind);
      class HotfixClient extends KubeClient {
        override async setContainerImage(namespace: string, name: string, container: string, target: string, resourceVersion: string) {
          await this.apps.patchNamespacedDeployment({ name, namespace, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image('callbot', 'hotfix') }] });
          return super.setContainerImage(namespace, name, container, target, resourceVersion);
        }
      }
      await expect(rollback(s.core, new HotfixClient(s.client.cluster), { tenant: 'test-download', service: 'callbot', reason: 'race' })).rejects.toThrow(
        /changed during the rollback \(now .*:hotfix, was .*:v3\); nothing was overwritten/,
      );
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'hotfix'));
    });

    it('sees Unknown and rolls nothing back while the API is unreachable, and recovers when it returns', async () => {
      const s = await scenario(registry, 'autoRollback:\n  services: [callbot]\n', kind);
      open.push(s);
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.target.setFailImage(/:broken$/);
      await s.release('callbot:broken');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(1);

      // Live state as the console and `ecp monitor` read it: a watcher that keeps the last good data.
      const watcher = new LiveStateWatcher(s.client, { namespaces: () => ['test-download'], maxBackoffMs: 200 });
      const monitor = new Monitor(s.core, s.client, {
        tenant: 'test-download',
        rollbackTimeoutMs: 20_000,
        readLive: async () => {
          await watcher.refresh();
          return watcher.snapshot();
        },
      });
      const events: string[] = [];
      monitor.on('event', (e: { message: string }) => events.push(e.message));
      await s.target.cutOff();
      try {
        const down = await monitor.tick();
        expect(down.every((r) => r.sync === 'Unknown' && r.health === 'Unknown')).toBe(true);
        expect(down[0]!.message).toMatch(/^cluster unreachable \(.*ECONNREFUSED.*\); never read$/);
        expect(events.join('\n')).toMatch(/cluster unreachable \(.*\): state is Unknown, no rollback decisions/);
        expect((await s.core.store.read()).deployments.filter((d) => d.kind === 'auto-rollback')).toHaveLength(0);

        // The API comes back on the same address (the sandbox: a new server seeded from the
        // manifests, which hold the broken image the failed deploy wrote).
        await s.target.restore();
        const failing = async () =>
          ((await s.client.listPods('test-download')) ?? []).some((pod) => pod.status?.containerStatuses?.some((c) => /^(ErrImagePull|ImagePullBackOff)$/.test(c.state?.waiting?.reason ?? '')));
        await waitUntil(failing, 'the new pods report a failing pull');
        const up = await monitor.tick();
        expect(up.find((r) => r.service === 'callbot')).toMatchObject({ sync: 'Synced', health: 'Degraded' });
        expect(events).toContain(`test-download/callbot: auto-rollback to ${image('callbot', 'v2')} succeeded`);
      } finally {
        await watcher.stop();
      }
    });
  });
});
