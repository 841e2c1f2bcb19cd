/** `ecp sandbox` as an operator runs it: starts, serves kubectl, changes the fail pattern, stops on SIGTERM. */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecpBin, repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { call, kubectl } from './helpers.js';

describe('ecp sandbox', () => {
  it('serves the seeded manifests to kubectl, takes a new fail pattern, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('ecp-sandbox-cmd-');
    mkdirSync(path.join(dir, 'manifests', 'acme'), { recursive: true });
    writeFileSync(
      path.join(dir, 'manifests', 'acme', 'callbot.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: callbot, labels: {app: callbot}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: callbot}}\n  template:\n    metadata: {labels: {app: callbot}}\n    spec: {containers: [{name: callbot, image: "localhost:5000/ecp-ai/callbot:v1"}]}\n',
    );
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(process.execPath, [ecpBin, 'sandbox', '--seed', 'manifests', '--kubeconfig', kubeconfig, '--deployments', '3', '--fail-image', 'broken'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitUntil(() => stderr.includes('Ctrl-C'), 'ecp sandbox says how to stop it');

    const url = /Kubernetes API on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toContain(`kubeconfig: ${kubeconfig}`);
    expect(stderr).toContain(`kubectl --kubeconfig ${kubeconfig} get deploy -A`);
    const config = readFileSync(kubeconfig, 'utf8');
    expect(config).toContain(`server: ${url}`);
    expect(config).toContain('insecure-skip-tls-verify: true');
    expect(config).toContain('current-context: ecp-sandbox');

    const r = await kubectl({ kubeconfig, cacheDir: path.join(dir, 'cache') }, ['get', 'deploy', '-A', '-o', 'name']);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(4);
    expect(r.stdout).toContain('deployment.apps/callbot');

    expect((await call({ url: url! }, 'GET', '/sandbox/fail-image')).body).toEqual({ pattern: 'broken' });
    expect((await call({ url: url! }, 'POST', '/sandbox/fail-image', { pattern: ':v9$' })).body).toEqual({ pattern: ':v9$' });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('ecp sandbox: stopped.');
  });

  it('refuses a bad pattern or a missing seed folder with exit 2', async () => {
    const badPattern = await runEcp(['sandbox', '--fail-image', '('], { cwd: repoRoot });
    expect(badPattern.code).toBe(2);
    expect(badPattern.stderr).toMatch(/--fail-image "\(" is not a valid regular expression/);
    const noSeed = await runEcp(['sandbox', '--seed', '/nonexistent/manifests'], { cwd: repoRoot });
    expect(noSeed.code).toBe(2);
    expect(noSeed.stderr).toContain('Seed folder /nonexistent/manifests (--seed) does not exist.');
  });
});

describe('ecp --sandbox', () => {
  it('leaves no ecp-sandbox-* folder behind, even while it runs (a closed terminal ends it without cleanup)', async () => {
    const { openCluster } = await import('../../source/commands/cluster-option.js');
    const tmp = tempDir('ecp-tmpdir-');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const session = await openCluster({ config: { manifestsDir: path.join(tmp, 'none') } as never, flags: { sandbox: true }, env: process.env });
      expect(readdirSync(tmp)).toEqual([]);
      expect(session?.cluster.description).toMatch(/^SANDBOX \(http:\/\/127\.0\.0\.1:\d+\)$/);
      await session?.close();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('a setting refused once the sandbox runs (ECP_KUBE_TIMEOUT) stops the sandbox too: exit 2, not a hang', async () => {
    const r = await runEcp(['--once', '--sandbox', '--data-dir', tempDir('ecp-data-')], { cwd: repoRoot, env: { ECP_KUBE_TIMEOUT: '0s' }, timeoutMs: 20_000 });
    expect(r.stderr.trim()).toBe('ecp: ECP_KUBE_TIMEOUT "0s" must be between 1s and 10m.');
    expect(r.code).toBe(2);
  }, 30_000);
});
