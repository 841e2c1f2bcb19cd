import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecpBin, repoRoot } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { kubectl, sandbox } from '../sandbox/helpers.js';

describe('ecp monitor (headless)', () => {
  it('logs one line per event, says why it does not roll back, and stops cleanly on SIGTERM', async () => {
    const sb = await sandbox({ seed: path.join(repoRoot, 'k8s-manifests'), stepMs: 40, failImage: /:broken$/ });
    await kubectl(sb, ['-n', 'test-download', 'set', 'image', 'deploy/advisor', 'advisor=localhost:5000/ecp-ai/advisor:broken']);
    const child = spawn(process.execPath, [ecpBin, 'monitor', '--interval', '1', '--data-dir', tempDir()], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: sb.kubeconfig },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitUntil(() => /no auto-rollback/.test(out), 'the monitor says why it does not roll back');
    // Each pass lists the Deployments: two more passes have ended once a third has begun.
    const lists = () => sb.requestCount({ verb: 'list', resource: 'deployments' });
    const seen = lists();
    await waitUntil(() => lists() >= seen + 3, 'two more passes ran');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  monitoring context ecp-sandbox \(http:\/\/127\.0\.0\.1:\d+\) every 1 s; auto-rollback for: no service$/);
    expect(out).toMatch(/WARN  no auto-rollback: test-download\/advisor is Degraded but its last change was not a deploy recorded by ecp/);
    // Logged once, not on every pass (three passes ran).
    expect(out.match(/no auto-rollback: test-download\/advisor/g)).toHaveLength(1);
  });
});
