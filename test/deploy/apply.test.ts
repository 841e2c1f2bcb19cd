import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget, type TargetKind } from '../helpers/cluster-target.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

let target: ClusterTarget | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

async function setUp(kind: TargetKind) {
  const dir = tempDir();
  cpSync(path.join(repoRoot, 'k8s-manifests'), path.join(dir, 'k8s-manifests'), { recursive: true });
  const t = (target = await startTarget(kind, { seed: path.join(dir, 'k8s-manifests') }));
  const ecp = (...args: string[]) => runEcp(['--data-dir', path.join(dir, 'data'), ...args], { cwd: dir, env: { KUBECONFIG: t.kubeconfig } });
  const manifest = path.join(dir, 'k8s-manifests', 'test-download', 'callbot.yaml');
  return { sb: t, ecp, manifest };
}

const kubectl = (t: ClusterTarget, args: string[]) => t.kubectl(args);

describeTargets('ecp apply (server-side apply, field manager ecp)', (kind) => {
  it('reports unchanged objects, applies a change, and leaves the cluster alone on --dry-run', async () => {
    const { sb, ecp, manifest } = await setUp(kind);
    const same = await ecp('apply', 'test-download', '--dry-run');
    expect(same.code).toBe(0);
    expect(same.stdout).toBe(
      [
        'deployment/advisor unchanged (dry run)',
        'service/advisor unchanged (dry run)',
        'deployment/callbot unchanged (dry run)',
        'service/callbot unchanged (dry run)',
        'deployment/chatbot unchanged (dry run)',
        'service/chatbot unchanged (dry run)',
        '',
      ].join('\n'),
    );
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const dry = await ecp('apply', 'test-download', '--dry-run');
    expect(dry.stdout).toContain('deployment/callbot configured (dry run)');
    expect((await kubectl(sb, ['get', 'deploy', 'callbot', '-n', 'test-download', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('2');
    const real = await ecp('apply', 'test-download');
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('deployment/callbot configured');
    expect((await kubectl(sb, ['get', 'deploy', 'callbot', '-n', 'test-download', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('3');
    const managers = JSON.parse((await kubectl(sb, ['get', 'deploy', 'callbot', '-n', 'test-download', '-o', 'json', '--show-managed-fields'])).stdout).metadata.managedFields;
    expect(managers.some((m: { manager: string; operation: string }) => m.manager === 'ecp' && m.operation === 'Apply')).toBe(true);
  });

  it('reports a conflict with another field manager and applies nothing, unless --force-conflicts', async () => {
    const { sb, ecp, manifest } = await setUp(kind);
    expect((await kubectl(sb, ['-n', 'test-download', 'set', 'image', 'deploy/callbot', 'callbot=localhost:5000/ecp-ai/callbot:hotfix'])).code).toBe(0);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('v1.0.0-seed01', 'v2').replace('replicas: 2', 'replicas: 4'));
    const refused = await ecp('apply', 'test-download');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Nothing was applied to test-download: 1 object was refused\./);
    expect(refused.stderr).toMatch(
      /Deployment\/callbot in test-download: conflict with "kubectl-set".*\(\.spec\.template\.spec\.containers\[name="callbot"\]\.image\) — re-run with --force-conflicts/,
    );
    // All or nothing: the replicas change of the same object was not applied either.
    expect((await kubectl(sb, ['get', 'deploy', 'callbot', '-n', 'test-download', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'])).stdout).toBe(
      '2 localhost:5000/ecp-ai/callbot:hotfix',
    );
    const forced = await ecp('apply', 'test-download', '--force-conflicts');
    expect(forced.code).toBe(0);
    expect((await kubectl(sb, ['get', 'deploy', 'callbot', '-n', 'test-download', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'])).stdout).toBe(
      '4 localhost:5000/ecp-ai/callbot:v2',
    );
  });
});

describe('ecp apply, input errors', () => {
  it('refuses bad input and a missing cluster with one sentence', async () => {
    const { ecp } = await setUp('sandbox');
    expect((await ecp('apply', '../etc')).stderr).toMatch(/not a valid DNS-1123 label|is not a valid tenant/);
    expect((await ecp('apply', 'nope')).stderr).toMatch(/Tenant "nope" does not exist/);
    const none = await runEcp(['apply', 'test-download', '--data-dir', tempDir()], { env: { KUBECONFIG: path.join(tempDir(), 'none') } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No cluster is configured/);
  });
});
