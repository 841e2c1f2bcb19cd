/**
 * The monitor closes a failed rollout as `ecp deploy` / `ecp rollback` do (one pipeline
 * function, pipeline/failed-rollout.ts): the record it marks failed keeps why — the workload's
 * events, its pods and the failing container's log (or why there is none) — whether it then
 * rolls back automatically or only marks the record failed.
 */
import { afterEach, expect, it } from 'vitest';
import type { LivePod } from '../../source/domain/kube-types.js';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { Monitor } from '../../source/monitor/monitor.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { describeTargets, type TargetKind } from '../helpers/cluster-target.js';
import { scenario } from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const broken = 'localhost:5000/ecp-ai/callbot:broken';

/** callbot runs :broken, set by a deploy ecp recorded and never saw through (its record still progressing). */
async function failingRollout(kind: TargetKind, config: string) {
  const s = await scenario(undefined, `requireApproval: []\n${config}`, kind);
  stops.push(() => s.stop());
  await s.target.setFailImage(/:broken$/);
  await s.release('callbot:broken');
  await s.core.store.update((data) => {
    data.deployments.push({
      id: 'dep-open',
      tenantId: 'test-download',
      namespace: 'test-download',
      serviceName: 'callbot',
      fromImage: 'localhost:5000/ecp-ai/callbot:v1.0.0-seed01',
      toImage: broken,
      kind: 'deploy',
      status: 'progressing',
      actor: 'operator@example.test',
      startedAt: new Date().toISOString(),
    });
  });
  expect((await s.target.kubectl(['-n', 'test-download', 'set', 'image', 'deployment/callbot', `callbot=${broken}`])).code).toBe(0);
  const failing = (p: LivePod) => (p.status?.containerStatuses ?? []).some((c) => /^(ErrImagePull|ImagePullBackOff)$/.test(c.state?.waiting?.reason ?? ''));
  await waitUntil(async () => (((await s.client.listPods('test-download')) ?? []) as LivePod[]).some(failing), 'a callbot pod failing to pull', 60_000);
  const monitor = new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)), rollbackTimeoutMs: 60_000 });
  return { s, monitor };
}

const expectDiagnosed = (record: { status: string; message?: string; diagnosis?: string[] } | undefined) => {
  expect(record).toMatchObject({ status: 'failed', message: expect.stringMatching(/container callbot is in (ErrImagePull|ImagePullBackOff)/) });
  const text = record!.diagnosis?.join('\n') ?? '';
  expect(text).toMatch(/^Deployment test-download\/callbot:\nevents:\n/);
  expect(text).toMatch(/\npods:\n {2}callbot-\S+ Pending ready [01]\/2 restarts 0 (ErrImagePull|ImagePullBackOff)/);
  // The seed's pods, still running beside the new one, are listed after it as old.
  expect(text).toMatch(/\n {2}callbot-\S+ \(old revision\) Running ready 2\/2 restarts 0\n/);
  expect(text).toMatch(/\nlog of callbot-\S+\/callbot: logs not available: /);
};

describeTargets('the monitor records why a rollout failed', (kind) => {
  it('on the record it only marks failed', async () => {
    const { s, monitor } = await failingRollout(kind, '');
    await monitor.tick();
    const data = await s.core.store.read();
    expectDiagnosed(data.deployments.find((d) => d.id === 'dep-open'));
    expect(data.versions.find((v) => v.fullImageName === broken)?.status).toBe('failed');
  }, 180_000);

  it('on the record it rolls back automatically', async () => {
    const { s, monitor } = await failingRollout(kind, 'autoRollback:\n  services: [callbot]\n');
    await monitor.tick();
    const data = await s.core.store.read();
    expectDiagnosed(data.deployments.find((d) => d.id === 'dep-open'));
    expect(data.deployments.find((d) => d.kind === 'auto-rollback')).toMatchObject({ status: 'succeeded', toImage: 'localhost:5000/ecp-ai/callbot:v1.0.0-seed01' });
  }, 180_000);
});
