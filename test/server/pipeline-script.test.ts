/**
 * Issue 17: scripts/ci-cd-pipeline.sh, the specification's usage lines verbatim, as a thin
 * wrapper: each step runs the matching ecp command, DEBUG=1 is passed on, exit codes pass through.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const SCRIPT = path.join(repoRoot, 'scripts', 'ci-cd-pipeline.sh');

function sh(s: Scenario, command: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The specification's lines start `./scripts/ci-cd-pipeline.sh`: the script is linked in.
    const child = spawn('bash', ['-c', `mkdir -p scripts && ln -sf ${SCRIPT} scripts/ci-cd-pipeline.sh && ${command}`], { cwd: s.repo, env: { ...process.env, ...s.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

describe('scripts/ci-cd-pipeline.sh (issue 17)', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario(undefined, 'requireApproval: []\n');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('validate runs `ecp validate`: the same output and exit code', async () => {
    const script = await sh(s, './scripts/ci-cd-pipeline.sh validate');
    const direct = await s.ecp(['validate']);
    expect(script.code).toBe(0);
    expect(script.stdout).toBe(direct.stdout);
  });

  it('update-manifests <tenant_id> runs `ecp update-manifests <tenant>`, options passed on', async () => {
    const r = await sh(s, './scripts/ci-cd-pipeline.sh update-manifests test-download --skip-registry-check --dry-run');
    const direct = await s.ecp(['update-manifests', 'test-download', '--skip-registry-check', '--dry-run']);
    expect(r).toMatchObject({ code: direct.code, stdout: direct.stdout });
  });

  it('build runs `ecp build`: the same answer and exit code', async () => {
    const script = await sh(s, './scripts/ci-cd-pipeline.sh build');
    const direct = await s.ecp(['build']);
    expect(script).toMatchObject({ code: direct.code, stdout: direct.stdout, stderr: direct.stderr });
  });

  it('passes an error exit through: a tenant that does not exist is 2 with ecp’s sentence', async () => {
    const r = await sh(s, './scripts/ci-cd-pipeline.sh deploy no-such-tenant');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ecp: Tenant "no-such-tenant" does not exist/m);
  });

  it('DEBUG=1 reaches ecp and prints the command first', async () => {
    const r = await sh(s, 'DEBUG=1 ./scripts/ci-cd-pipeline.sh validate');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[debug ci-cd-pipeline\] node .*bin\/ecp\.js validate/m);
    expect(r.stderr).toMatch(/^\[debug \S+ cli\] command "validate"/m);
  });

  it('a broken manifest makes validate exit 1, as ecp does', async () => {
    appendFileSync(s.manifest('test-download', 'callbot.yaml'), '\n  bad: [unclosed\n');
    const script = await sh(s, './scripts/ci-cd-pipeline.sh validate');
    const direct = await s.ecp(['validate']);
    expect(direct.code).toBe(1);
    expect(script.code).toBe(1);
  });

  it('refuses an unknown step or a missing tenant with the usage line (exit 2), running nothing', async () => {
    for (const command of ['./scripts/ci-cd-pipeline.sh', './scripts/ci-cd-pipeline.sh frobnicate', './scripts/ci-cd-pipeline.sh deploy', './scripts/ci-cd-pipeline.sh update-manifests --all']) {
      const r = await sh(s, command);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toMatch(/Usage: .*ci-cd-pipeline\.sh build \| update-manifests <tenant_id> \| validate \| deploy <tenant_id>/);
    }
  });
});
