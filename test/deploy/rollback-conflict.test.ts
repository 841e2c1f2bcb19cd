/**
 * A rollback's patch carries the resourceVersion it read; when someone else changes the
 * Deployment in between (409 Conflict) it reads it again and retries, keeping their change.
 * On the sandbox, without a Docker engine or a registry.
 */
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../source/adapters/kube.js';
import { deploy } from '../../source/pipeline/deploy.js';
import type { PipelineEvent } from '../../source/pipeline/events.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** A real client whose first image patch is preceded by another writer's change to the Deployment. */
class ContestedClient extends KubeClient {
  contested = 0;
  override async setContainerImage(namespace: string, name: string, container: string, image: string, resourceVersion: string): Promise<V1Deployment> {
    if (this.contested === 0) {
      this.contested += 1;
      await this.apps.patchNamespacedDeployment(
        { name, namespace, body: { metadata: { annotations: { 'example.test/on-call': 'changed meanwhile' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    }
    return super.setContainerImage(namespace, name, container, image, resourceVersion);
  }
}

describe('rollback under a concurrent change', () => {
  it('re-reads the Deployment after a 409 and retries with its new resourceVersion', async () => {
    const s = await scenario(undefined, 'requireApproval: []\n');
    open.push(s);
    await s.release('callbot:v2');
    expect((await deploy(s.core, s.client, { tenant: 'test-download', services: ['callbot'], build: false, skipRegistryCheck: true, timeoutMs: 20_000 })).ok).toBe(true);
    await s.release('callbot:v3');
    expect((await deploy(s.core, s.client, { tenant: 'test-download', services: ['callbot'], build: false, skipRegistryCheck: true, timeoutMs: 20_000 })).ok).toBe(true);

    const client = new ContestedClient(s.client.cluster);
    const events: PipelineEvent[] = [];
    const result = await rollback(s.core, client, { tenant: 'test-download', service: 'callbot', reason: 'v3 is slow', skipRegistryCheck: true, timeoutMs: 20_000, onEvent: (e) => events.push(e) });
    expect(client.contested).toBe(1);
    expect(events.map((e) => e.message)).toContain('callbot changed since it was read (409); reading it again');
    expect(result).toMatchObject({ ok: true, to: 'localhost:5000/ecp-ai/callbot:v2' });
    const live = await s.client.readDeployment('test-download', 'callbot');
    expect(live?.spec?.template?.spec?.containers?.find((c) => c.name === 'callbot')?.image).toBe('localhost:5000/ecp-ai/callbot:v2');
    expect(live?.metadata?.annotations?.['example.test/on-call']).toBe('changed meanwhile');
  });
});
