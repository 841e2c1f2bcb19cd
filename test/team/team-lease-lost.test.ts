/**
 * A holder that lost its hold stops (issue 16): a real `ecp deploy` is paused (SIGSTOP) past its
 * Lease (team store) or lock file (file store), a second operator takes the service over, and
 * the first, resumed, stops before its next write with one sentence, exit 1 and an audit event.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVersion } from '../../source/domain/versions.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { waitUntil } from '../helpers/wait.js';

const LEASE_SECONDS = 3;
const TENANT = 'test-download';

const backends = [
  // The team store pauses right after its first unit's swap; the file store once its first write moved the audit head.
  { name: 'kubernetes', config: (namespace: string) => `store:\n  backend: kubernetes\n  namespace: ${namespace}\n`, stopAt: 'unit-committed', held: `lease ${TENANT}-callbot` },
  { name: 'file', config: () => '', stopAt: 'head-written', held: 'lock file .*' },
] as const;

describeTargets('a deploy that lost its hold on the service stops (issue 16)', (kind) => {
  // One describe each: the real control plane is held by one scenario at a time (until its afterAll).
  for (const backend of backends) describe(`${backend.name} store`, () => describeBackend(kind, backend));
});

function describeBackend(kind: Parameters<Parameters<typeof describeTargets>[1]>[0], backend: (typeof backends)[number]) {
  let s: Scenario;
  const namespace = `ecp-store-${randomBytes(3).toString('hex')}`;
  const leaseEnv = process.env.ECP_LEASE_SECONDS;
  beforeAll(async () => {
    s = await scenario(undefined, backend.config(namespace), kind);
    if (backend.name === 'kubernetes') expect((await s.target.kubectl(['create', 'namespace', namespace])).code).toBe(0);
    const images = [...['callbot', 'chatbot', 'advisor'].map((service) => [service, 'v1.0.0-seed01']), ['callbot', 'v2']];
    await s.core.store.update((data, unit) => {
      for (const [i, [service, tag]] of (images as [string, string][]).entries()) {
        const input = { serviceName: service, imageName: service, imageTag: tag, fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' };
        const v = { ...newVersion(input, new Date(Date.now() + i * 1000), new Set(data.versions.map((d) => d.id))), status: 'ready' as const, securityScanResult: 'passed' as const };
        data.versions.push(v);
        unit.audit({ actor: 'ci@example.com', action: 'version.register', target: v.id, details: {} });
      }
    });
    // The second operator below runs in this process: its lock-file takeover reads the duration here.
    process.env.ECP_LEASE_SECONDS = String(LEASE_SECONDS);
  }, 180_000);
  afterAll(async () => {
    if (leaseEnv === undefined) delete process.env.ECP_LEASE_SECONDS;
    else process.env.ECP_LEASE_SECONDS = leaseEnv;
    await s?.stop();
  }, 180_000);

  it(`stops before its next write once another operator took the service over, exit 1, audited`, async () => {
    const liveBefore = await s.liveImage(TENANT, 'callbot');
    const manifest = s.manifest(TENANT, 'callbot.yaml');
    const manifestBefore = readFileSync(manifest, 'utf8');
    const first = spawn(process.execPath, [ecpBin, 'deploy', TENANT, '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '60s'], {
      cwd: s.repo,
      env: { ...process.env, ...s.env, NO_COLOR: '1', ECP_LEASE_SECONDS: String(LEASE_SECONDS), ECP_TEST_CRASH_AT: `${backend.stopAt}:stop` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await waitUntil(() => stderr.includes(`ecp-test: stop at ${backend.stopAt}`) || first.exitCode !== null, 'the first deploy paused holding the service', 60_000);
    expect(first.exitCode, stderr).toBeNull();
    // Its last renewal was before it paused: the hold has expired one duration after that.
    const pausedAt = Date.now();
    await waitUntil(() => Date.now() > pausedAt + LEASE_SECONDS * 1000 + 500, 'the paused holder’s lease expired', 30_000);

    let code: number | null = null;
    await s.core.store.holdService(TENANT, 'callbot', { action: 'deploy', actor: 'ops2@example.com' }, async () => {
      first.kill('SIGCONT');
      code = await exited;
    });

    expect(code, stderr).toBe(1);
    const said = stderr.replace(`ecp-test: stop at ${backend.stopAt}\n`, '').trim().split('\n').at(-1)!;
    expect(said).toMatch(
      new RegExp(
        `^ecp: deploy of callbot in ${TENANT} lost the ${backend.held} to ops2@example\\.com at \\d\\d:\\d\\d:\\d\\d; stopped before .+, and what it changed until then stays \\(ecp --once shows how it stands\\)\\.$`,
      ),
    );
    // It stopped before applying: the cluster and the manifests are as they were.
    expect(await s.liveImage(TENANT, 'callbot')).toBe(liveBefore);
    expect(readFileSync(manifest, 'utf8')).toBe(manifestBefore);
    const events = await s.core.audit.list();
    expect(events.at(-1)).toMatchObject({ action: 'deploy.lost-hold', target: `${TENANT}/callbot`, details: { to: 'ops2@example.com' } });
    expect(await s.core.audit.verify()).toMatchObject({ ok: true });
  }, 180_000);
}
