/**
 * One change at a time per tenant/service in team mode (issue 16): two operators deploy the same
 * service at once, one runs and the other meets the Lease (exit 2, nothing changed); the first is
 * SIGKILLed mid-rollout and its Lease is taken over once it expires.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { loadCluster } from '../../source/adapters/kube.js';
import { newVersion } from '../../source/domain/versions.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

const LEASE_SECONDS = '10';
const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

describeTargets('one deploy at a time per tenant/service, team mode (issue 16)', (kind) => {
  let s: Scenario;
  const namespace = `ecp-store-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    s = await scenario(undefined, `store:\n  backend: kubernetes\n  namespace: ${namespace}\n`, kind);
    expect((await s.target.kubectl(['create', 'namespace', namespace])).code).toBe(0);
    // The seeded versions and the one to deploy (the newest), registered ready in the team store.
    const images = [...['callbot', 'chatbot', 'advisor'].map((service) => [service, 'v1.0.0-seed01']), ['callbot', 'v2']];
    await s.core.store.update((data, unit) => {
      for (const [i, [service, tag]] of (images as [string, string][]).entries()) {
        const input = { serviceName: service, imageName: service, imageTag: tag, fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' };
        const v = { ...newVersion(input, new Date(Date.now() + i * 1000), new Set(data.versions.map((d) => d.id))), status: 'ready' as const, securityScanResult: 'passed' as const };
        data.versions.push(v);
        unit.audit({ actor: 'ci@example.com', action: 'version.register', target: v.id, details: {} });
      }
    });
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  }, 180_000);

  it('refuses a second deploy with the lease sentence and exit 2 while the first holds it, and takes a dead holder over once its lease expired', async () => {
    const env = { ...process.env, ...s.env, NO_COLOR: '1', ECP_LEASE_SECONDS: LEASE_SECONDS };
    // The first deploy pauses at its first store write after taking the Lease (a unit committed, not rolled forward).
    const first = spawn(process.execPath, [ecpBin, 'deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '60s'], {
      cwd: s.repo,
      env: { ...env, ECP_TEST_CRASH_AT: 'unit-committed:stop' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let firstErr = '';
    first.stderr.on('data', (d: Buffer) => (firstErr += d.toString()));
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    await waitUntil(() => firstErr.includes('ecp-test: stop at unit-committed') || first.exitCode !== null, 'the first deploy paused holding its lease', 60_000);
    expect(first.exitCode, firstErr).toBeNull();
    const leases = loadCluster({ env: {}, kubeconfig: s.kubeconfig })!.kc.makeApiClient(CoordinationV1Api);
    const lease = () => leases.readNamespacedLease({ name: 'test-download-callbot', namespace }).catch(() => undefined);
    expect((await lease())?.metadata?.annotations?.['ecp.dev/action']).toBe('deploy');
    const manifest = s.manifest('test-download', 'callbot.yaml');
    const before = readFileSync(manifest, 'utf8');

    const second = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '30s']);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr.trim()).toMatch(/^ecp: callbot in test-download is being deployed by \S+@\S+ since \d\d:\d\d:\d\d \(lease test-download-callbot\)\.$/);
    expect(readFileSync(manifest, 'utf8')).toBe(before);

    first.kill('SIGKILL');
    await exited;
    const held = await lease();
    // Nobody renews it now: once renewTime + leaseDurationSeconds has passed, the next deploy takes it over.
    const expiry = new Date(String(held!.spec!.renewTime)).getTime() + Number(LEASE_SECONDS) * 1000;
    await waitUntil(() => Date.now() > expiry + 500, 'the dead holder’s lease expired', 30_000);
    const third = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '60s']);
    expect(third.code, third.stderr).toBe(0);
    expect(await s.liveImage('test-download', 'callbot')).toBe(image('v2'));
    expect(await lease()).toBeUndefined();
    expect(await s.core.audit.verify()).toMatchObject({ ok: true });
  }, 240_000);
});
