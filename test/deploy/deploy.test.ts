import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { describeTargets, type TargetKind } from '../helpers/cluster-target.js';
import { Monitor } from '../../source/monitor/monitor.js';
import { readLiveSnapshot } from '../../source/monitor/live-state.js';
import { tenantNamespaces } from '../../source/monitor/status-view.js';
import { describeRegistry } from '../helpers/registry.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { git } from '../helpers/temp.js';

const image = (service: string, tag: string) => `localhost:5000/ecp-ai/${service}:${tag}`;
const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

async function world(registry: string, kind: TargetKind, config = 'autoRollback:\n  services: [callbot]\n'): Promise<Scenario> {
  const s = await scenario(registry, config, kind);
  open.push(s);
  return s;
}

function monitorOf(s: Scenario): Monitor {
  return new Monitor(s.core, s.client, { readLive: (tenants) => readLiveSnapshot(s.client, tenantNamespaces(tenants)), rollbackTimeoutMs: 20_000 });
}

await describeRegistry('deploy, rollback and the monitor', (registry) => {
  describeTargets('deploy, rollback and the monitor', (kind) => {
    it('deploys a registered ready version with --no-build: manifest, cluster, git tag and record', async () => {
      const s = await world(registry, kind);
      await s.release('callbot:v2');
      // The real binary, once, end to end; the other runs are in-process (Scenario.ecp).
      const result = await s.ecpBinary(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--timeout', '30s', '--json']);
      expect(result.stderr).toMatch(/\[rollout\] ✓ rollout done/);
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout);
      expect(doc.records).toHaveLength(1);
      expect(doc.records[0]).toMatchObject({ serviceName: 'callbot', kind: 'deploy', status: 'succeeded', fromImage: image('callbot', 'v1.0.0-seed01'), toImage: image('callbot', 'v2') });
      expect(doc.gitTag).toMatch(/^deploy\/test-download\/\d{8}-\d{6}$/);
      expect(readFileSync(s.manifest('test-download', 'callbot.yaml'), 'utf8')).toContain(`image: ${image('callbot', 'v2')} # managed by ecp`);
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));
      expect(git(s.repo, 'tag', '--list')).toBe(doc.gitTag);
      expect(git(s.repo, 'status', '--porcelain', 'k8s-manifests')).toBe('');
      const history = JSON.parse((await s.ecp(['history', 'test-download', '--json'])).stdout);
      expect(history[0]).toMatchObject({ status: 'succeeded', gitTag: doc.gitTag });
    });

    it('records a failed rollout (exit 1); the monitor rolls it back once, to the previous good version', async () => {
      const s = await world(registry, kind);
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.target.setFailImage(/:broken$/);
      await s.release('callbot:broken');
      const failed = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--timeout', '30s']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/callbot: .*:v2 → .*:broken failed \(Pod .* is in (ErrImagePull|ImagePullBackOff)/);

      const monitor = monitorOf(s);
      const events: string[] = [];
      monitor.on('event', (e: { message: string }) => events.push(e.message));
      await monitor.tick();
      expect(events).toContain(`test-download/callbot: auto-rollback to ${image('callbot', 'v2')} succeeded`);
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));
      expect(readFileSync(s.manifest('test-download', 'callbot.yaml'), 'utf8')).toContain(image('callbot', 'v2'));
      const data = await s.core.store.read();
      expect(data.versions.find((v) => v.imageTag === 'broken')?.status).toBe('failed');
      expect(data.deployments.filter((d) => d.kind === 'auto-rollback')).toHaveLength(1);
      // Once per failed version: a second pass does nothing more.
      await monitor.tick();
      expect((await s.core.store.read()).deployments.filter((d) => d.kind === 'auto-rollback')).toHaveLength(1);

      // The specification's deployment-health view.
      const [tenant] = JSON.parse((await s.ecp(['health', '--tenant', 'test-download', '--json'])).stdout);
      expect(tenant.total).toMatchObject({ deploys: 2, succeeded: 1, failed: 1, successRate: 0.5, rollbacks: { manual: 0, auto: 1 }, lastFailure: { image: image('callbot', 'broken') } });
      expect(tenant.total.medianTimeToReadyMs).toBeGreaterThan(0);
      const table = await s.ecp(['health']);
      expect(table.stdout).toMatch(/test-download \(all\)\s+2\s+50%\s+\S+\s+0\/1\s+\d{4}-\d\d-\d\d \d\d:\d\d broken/);
      const history = await s.ecp(['history', 'test-download', '--service', 'callbot', '--limit', '2']);
      expect(history.stdout.split('\n')[1]).toMatch(/callbot\s+auto-rollback\s+broken\s+v2\s+succeeded/);
    });

    it('ecp monitor rolls back when the watch shows Degraded, not only on its interval', async () => {
      const s = await world(registry, kind);
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      // An interval no test outlives: only a change seen through the watch can start the pass.
      const monitor = spawn(process.execPath, [ecpBin, 'monitor', '--interval', '3600'], { cwd: s.repo, env: { ...process.env, ...s.env } });
      let out = '';
      const waiting = new Set<() => void>();
      monitor.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (const check of [...waiting]) check();
      });
      const seen = (re: RegExp) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (!re.test(out)) return;
            waiting.delete(check);
            resolve();
          };
          waiting.add(check);
          check();
        });
      try {
        await seen(/ monitoring /);
        await s.target.setFailImage(/:broken$/);
        await s.release('callbot:broken');
        const rolledBack = seen(/auto-rollback to \S+:v2 succeeded/);
        // The deploy's own rollout wait races the monitor's rollback: its exit code is not the point.
        await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--timeout', '30s']);
        await rolledBack;
        expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));
      } finally {
        monitor.kill('SIGTERM');
      }
    });

    it('never rolls back automatically in a protected namespace, and says why', async () => {
      const s = await world(registry, kind, 'autoRollback:\n  services: [callbot]\nrequireApproval: []\n');
      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'acme-prod', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.target.setFailImage(/:broken$/);
      await s.release('callbot:broken');
      expect((await s.ecp(['deploy', 'acme-prod', '--service', 'callbot', '--no-build'])).code).toBe(1);
      const monitor = monitorOf(s);
      const events: string[] = [];
      monitor.on('event', (e: { message: string }) => events.push(e.message));
      await monitor.tick();
      expect(events.join('\n')).toMatch(/no auto-rollback: acme-prod\/callbot is Degraded; namespace acme-prod is protected \(\*prod\*\): roll back by hand/);
      expect(await s.liveImage('acme-prod', 'callbot')).toBe(image('callbot', 'broken'));
    });

    it('rolls back by hand to the previous good version or to --to, and refuses without one', async () => {
      const s = await world(registry, kind);
      const none = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', 'slow']);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/No earlier good version of test-download\/callbot to roll back to/);
      expect((await s.ecp(['rollback', 'test-download', 'callbot'])).stderr).toMatch(/needs a reason/);

      await s.release('callbot:v2');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      await s.release('callbot:v3');
      expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
      const back = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', '성능 문제로 인한 롤백']);
      expect(back.code).toBe(0);
      expect(back.stdout).toMatch(/test-download\/callbot: .*:v3 → .*:v2 rolled back \(git tag deploy\/test-download\//);
      expect(await s.liveImage('test-download', 'callbot')).toBe(image('callbot', 'v2'));

      const v3 = (await s.core.store.read()).versions.find((v) => v.imageTag === 'v3')!;
      const to = await s.ecp(['rollback', 'test-download', 'callbot', '--to', v3.id, '--reason', 'v3 was fine after all', '--json']);
      expect(to.code).toBe(0);
      expect(JSON.parse(to.stdout).record).toMatchObject({
        kind: 'rollback',
        fromImage: image('callbot', 'v2'),
        toImage: image('callbot', 'v3'),
        reason: 'v3 was fine after all',
        status: 'succeeded',
        actor: 'operator@example.test',
      });
      const audit = JSON.parse((await s.ecp(['audit', '--json'])).stdout);
      expect(audit.filter((e: { action: string }) => e.action === 'deploy.rollback')).toHaveLength(2);
    });
  });
});
