/**
 * Issue 15, item 9: Ctrl-C while `ecp deploy` / `ecp rollback` waits for a rollout exits 130,
 * never 0, and leaves nothing half-done: the change is applied and committed (git tag), its
 * record open for the monitor to settle, and the version is not called failed.
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { describeTargets } from '../helpers/cluster-target.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { git } from '../helpers/temp.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/**
 * Runs ecp in the scenario and sends SIGINT once stderr shows `when` (for deploy, apply: the
 * signal lands before the rollout wait's first look, so a failing image cannot end it first).
 */
function interruptWhen(s: Scenario, args: string[], when: RegExp): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ecpBin, ...args], { cwd: s.repo, env: { ...process.env, NO_COLOR: '1', ...s.env } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr });
    });
  });
}

describeTargets('Ctrl-C during a rollout', (kind) => {
  it('ecp deploy exits 130 with the change applied and committed, its record open, the version not failed', async () => {
    const s = await scenario(undefined, 'requireApproval: []\n', kind);
    stops.push(() => s.stop());
    await s.target.setFailImage(/:broken$/);
    await s.release('callbot:broken');
    const result = await interruptWhen(s, ['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '10m'], /\[apply\] apply\n/);
    expect(result.code).toBe(130);
    expect(result.stderr).not.toContain('rollout done');
    expect(result.stderr).toContain('[rollout] ! rollout wait interrupted: callbot still rolling out');
    expect(result.stderr).toMatch(
      /ecp: deploy interrupted while waiting for the rollout of callbot: the change is applied and committed \(git tag deploy\/test-download\/\d{8}-\d{6}\); the rollout goes on/,
    );
    expect(git(s.repo, 'status', '--porcelain', 'k8s-manifests')).toBe('');
    expect(await s.liveImage('test-download', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:broken');
    const data = await s.core.store.read();
    expect(data.deployments.find((d) => d.toImage.endsWith(':broken'))?.status).toBe('progressing');
    expect(data.versions.find((v) => v.imageTag === 'broken')?.status).toBe('ready');
  });

  it('ecp rollback exits 130 at its next safe point, leaving nothing half-done', async () => {
    const s = await scenario(undefined, 'requireApproval: []\n', kind);
    stops.push(() => s.stop());
    await s.release('callbot:v2', 'callbot:v3');
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check'])).code).toBe(0);
    const v2 = (await s.core.store.read()).versions.find((v) => v.imageTag === 'v2')!;
    // Sent as the rollback starts: it stops before changing anything, or — if the signal comes
    // late — while it waits for its rollout, everything written. Both are whole.
    const result = await interruptWhen(s, ['rollback', 'test-download', 'callbot', '--to', v2.id, '--reason', 'try it', '--skip-registry-check', '--timeout', '10m'], /\[rollback\] callbot: /);
    expect(result.code, result.stderr).toBe(130);
    expect(git(s.repo, 'status', '--porcelain', 'k8s-manifests')).toBe('');
    const record = (await s.core.store.read()).deployments.find((d) => d.kind === 'rollback');
    if (result.stderr.includes('ecp: rollback interrupted before it changed anything; nothing was changed.')) {
      expect(record).toBeUndefined();
      expect(await s.liveImage('test-download', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:v3');
    } else {
      expect(result.stderr).toMatch(/ecp: rollback interrupted while waiting for its rollout: callbot is patched to \S+:v2 and the manifest committed/);
      expect(record?.status).toBe('progressing');
    }
  });
});
