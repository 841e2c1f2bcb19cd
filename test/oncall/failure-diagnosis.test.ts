/**
 * Issue 15, item 4 (and item 9's "✓ rollout done" for a failed rollout): when a rollout fails,
 * `ecp deploy` and `ecp rollback` print why on stderr — the Deployment's events, its pods with
 * phase, restarts and waiting reason, and the failing container's last log lines (or why there
 * are none: a container that never started; kwok serves no logs) — and the record keeps it.
 * The sandbox serves pod logs with `previous` and `tailLines`.
 */
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeTargets, startTarget } from '../helpers/cluster-target.js';
import { repoRoot } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describeTargets('why a rollout failed', (kind) => {
  async function world(): Promise<Scenario> {
    const s = await scenario(undefined, 'requireApproval: []\n', kind);
    stops.push(() => s.stop());
    return s;
  }
  const why = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('[why] callbot: '))
      .map((l) => l.slice('[why] callbot: '.length))
      .join('\n');

  it('ecp deploy prints the events, the pods and the log, does not say the rollout is done, and records it', async () => {
    const s = await world();
    await s.target.setFailImage(/:broken$/);
    await s.release('callbot:broken');
    const failed = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '60s']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).not.toContain('rollout done');
    expect(failed.stderr).toContain('[rollout] ! rollout failed: callbot did not become healthy');
    const text = why(failed.stderr);
    expect(text).toMatch(/^Deployment test-download\/callbot:\nevents:\n/);
    expect(text).toMatch(/ Normal ScalingReplicaSet Deployment\/callbot: Scaled up replica set callbot-\w+ .*to 1/);
    expect(text).toMatch(/\npods:\n( {2}.*\n)* {2}callbot-\S+ Pending ready [01]\/2 restarts 0 (ErrImagePull|ImagePullBackOff)/);
    expect(text).toMatch(/\nlog of callbot-\S+\/callbot: logs not available: /);
    if (kind === 'sandbox') expect(text).toContain('is waiting to start: trying and failing to pull image (400)');
    const record = (await s.core.store.read()).deployments.find((d) => d.toImage.endsWith(':broken'))!;
    expect(record.status).toBe('failed');
    expect(record.message).toMatch(/Pod callbot-\S+ container callbot is in (ErrImagePull|ImagePullBackOff)/);
    expect(record.diagnosis?.join('\n')).toBe(text);
  });

  it('ecp rollback prints the same when its rollout fails', async () => {
    const s = await world();
    await s.target.setFailImage(/:broken$/);
    await s.release('callbot:broken', 'callbot:v2');
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check'])).code).toBe(0);
    const broken = (await s.core.store.read()).versions.find((v) => v.imageTag === 'broken')!;
    const failed = await s.ecp(['rollback', 'test-download', 'callbot', '--to', broken.id, '--reason', 'try the old one', '--skip-registry-check', '--timeout', '60s']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/→ \S+:broken FAILED: Pod callbot-\S+ container callbot is in/);
    expect(why(failed.stderr)).toMatch(/^Deployment test-download\/callbot:\nevents:\n(.*\n)*pods:\n(.*\n)*log of callbot-\S+\/callbot: logs not available: /);
    const record = (await s.core.store.read()).deployments.find((d) => d.kind === 'rollback')!;
    expect(record.diagnosis?.[0]).toBe('Deployment test-download/callbot:');
  });
});

describeTargets(
  'pod logs in the sandbox',
  (kind) => {
    it('a running container writes a few lines; --tail keeps the last; --previous without a restart is the kubelet 400', async () => {
      const t = await startTarget(kind, { seed: path.join(repoRoot, 'k8s-manifests') });
      stops.push(() => t.stop());
      const pod = (await t.kubectl(['-n', 'test-download', 'get', 'pods', '-l', 'app=advisor', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
      const all = await t.kubectl(['-n', 'test-download', 'logs', pod]);
      expect(all.stdout).toBe(`ecp sandbox: localhost:5000/ecp-ai/advisor:v1.0.0-seed01 running as ${pod}/advisor (the sandbox runs no processes)\nadvisor: started\nadvisor: ready\n`);
      expect((await t.kubectl(['-n', 'test-download', 'logs', pod, '--tail=1'])).stdout).toBe('advisor: ready\n');
      const stamped = await t.kubectl(['-n', 'test-download', 'logs', pod, '--tail=1', '--timestamps']);
      expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000000Z advisor: ready\n$/);
      const previous = await t.kubectl(['-n', 'test-download', 'logs', pod, '--previous']);
      expect(previous.code).toBe(1);
      expect(previous.stderr).toBe(`Error from server (BadRequest): previous terminated container "advisor" in pod "${pod}" not found\n`);
    });
  },
  // The real control plane's nodes are kwok's: they serve no logs (the test above says so through ecp).
  'sandbox',
);
