import { afterEach, expect, it } from 'vitest';
import { KubeClient } from '../../source/adapters/kube.js';
import path from 'node:path';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { Monitor } from '../../source/monitor/monitor.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { startSandbox } from '../../source/sandbox/index.js';
import { describeRegistry } from '../helpers/registry.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

const image = (service: string, tag: string) => `localhost:5000/ecp-ai/${service}:${tag}`;
const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** callbot deployed at v2, then at v3: a rollback has somewhere to go. */
async function deployedTwice(registry: string): Promise<Scenario> {
  const s = await scenario(registry);
  open.push(s);
  for (const tag of ['v2', 'v3']) {
    await s.release(`callbot:${tag}`);
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
  }
  return s;
}

await describeRegistry('rollback and monitoring under concurrent change and outages', (registry) => {
  it('retries a rollback whose Deployment changed between read and patch, keeping the other change', async () => {
    const s = await deployedTwice(registry);

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
    s.sandbox.clearRequests();
    const result = await rollback(s.core, new RacingClient(s.client.cluster), { tenant: 'test-download', service: 'callbot', reason: 'race', timeoutMs: 20_000 });
    expect(result.ok).toBe(true);
    const live = await s.client.readDeployment('test-download', 'callbot');
    expect(live?.spec?.replicas).toBe(4);
    expect(live?.spec?.template?.spec?.containers?.find((c) => c.name === 'callbot')?.image).toBe(image('callbot', 'v2'));
    const patches = s.sandbox.requests({ verb: 'patch', resource: 'deployments' });
    expect(patches.map((p) => p.code)).toEqual([200, 409, 200]);
  });

  it('refuses to overwrite an image someone else set meanwhile', async () => {
    const s = await deployedTwice(registry);
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
    const s = await scenario(registry, 'autoRollback:\n  services: [callbot]\n');
    open.push(s);
    await s.release('callbot:v2');
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
    s.sandbox.setFailImage(/:broken$/);
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
    const port = s.sandbox.port;
    await s.sandbox.stop();
    try {
      const down = await monitor.tick();
      expect(down.every((r) => r.sync === 'Unknown' && r.health === 'Unknown')).toBe(true);
      expect(down[0]!.message).toMatch(/^cluster unreachable \(.*ECONNREFUSED.*\); never read$/);
      expect(events.join('\n')).toMatch(/cluster unreachable \(.*\): state is Unknown, no rollback decisions/);
      expect((await s.core.store.read()).deployments.filter((d) => d.kind === 'auto-rollback')).toHaveLength(0);

      // The API comes back on the same address (a new server, seeded from the same manifests,
      // which hold the broken image the failed deploy wrote).
      const back = await startSandbox({ port, seed: path.join(s.repo, 'k8s-manifests'), stepMs: 40, failImage: /:broken$/ });
      open.push({ ...s, stop: () => back.stop() });
      const backingOff = async () =>
        (await s.client.listPods('test-download')).some((pod) => pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'ImagePullBackOff'));
      await waitUntil(backingOff, 'the new pods report ImagePullBackOff');
      const up = await monitor.tick();
      expect(up.find((r) => r.service === 'callbot')).toMatchObject({ sync: 'Synced', health: 'Degraded' });
      expect(events).toContain(`test-download/callbot: auto-rollback to ${image('callbot', 'v2')} succeeded`);
    } finally {
      await watcher.stop();
    }
  });
});
