/**
 * `ecp scan <version-id> --report FILE` through the real binary: the sample Trivy reports set
 * passed/failed and ready/blocked as the gate says, the counts are stored and audited, and
 * update-manifests refuses the blocked version. No engine needed.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, runEcpInProcess } from '../helpers/run-ecp.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SAMPLE_IMAGE = /localhost:5000\/ecp-ai\/(callbot|chatbot):stable-1a2b3c4/g;

interface Workspace {
  dir: string;
  run: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof runEcpInProcess>;
  register: (tag: string) => Promise<string>;
  /** A sample report rewritten to be the report of `image` (as `trivy image <image>` would name it). */
  report: (fixture: string, image: string) => string;
}

function workspace(config = ''): Workspace {
  const dir = gitRepo('main');
  cpSync(path.join(repoRoot, 'k8s-manifests', 'test-download'), path.join(dir, 'k8s-manifests', 'test-download'), { recursive: true });
  writeFileSync(path.join(dir, 'ecp.config.yaml'), `registry: localhost:5000\nimagePrefix: ecp-ai\n${config}`);
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runEcpInProcess(args, { cwd: dir, env });
  return {
    dir,
    run,
    async register(tag) {
      const body = {
        service_name: 'callbot',
        image_name: 'localhost:5000/ecp-ai/callbot',
        image_tag: tag,
        full_image_name: `localhost:5000/ecp-ai/callbot:${tag}`,
        git_commit: '1a2b3c4d5e6f',
        git_branch: 'main',
      };
      const result = await run(['versions', 'register', '--data', JSON.stringify(body), '--json']);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).id as string;
    },
    report(fixture, image) {
      const file = path.join(tempDir(), `${fixture}.json`);
      writeFileSync(file, readFileSync(path.join(fixtures, `trivy-${fixture}.json`), 'utf8').replace(SAMPLE_IMAGE, image));
      return file;
    },
  };
}

async function show(ws: Workspace, id: string) {
  return JSON.parse((await ws.run(['versions', 'show', id, '--json'])).stdout);
}

describe('ecp scan --report', () => {
  it('sets passed/ready or failed/blocked for each sample report, as the default gate says', async () => {
    const ws = workspace();
    const cases = [
      { fixture: 'clean', code: 0, scan: 'passed', status: 'ready', vulnerabilities: {}, count: 0 },
      { fixture: 'no-vulnerabilities-key', code: 0, scan: 'passed', status: 'ready', vulnerabilities: {}, count: 0 },
      { fixture: 'medium-low', code: 0, scan: 'passed', status: 'ready', vulnerabilities: { MEDIUM: 2, LOW: 1 }, count: 3 },
      { fixture: 'high', code: 1, scan: 'failed', status: 'blocked', vulnerabilities: { HIGH: 2, MEDIUM: 1 }, count: 3 },
      { fixture: 'critical', code: 1, scan: 'failed', status: 'blocked', vulnerabilities: { CRITICAL: 2, LOW: 1 }, count: 3 },
    ];
    for (const c of cases) {
      const tag = `stable-${c.fixture}`;
      const id = await ws.register(tag);
      const result = await ws.run(['scan', id, '--report', ws.report(c.fixture, `localhost:5000/ecp-ai/callbot:${tag}`)]);
      expect([c.fixture, result.code], result.stderr).toEqual([c.fixture, c.code]);
      expect(result.stdout).toContain(`${id}: scan ${c.scan}`);
      expect(await show(ws, id)).toMatchObject({
        securityScanResult: c.scan,
        status: c.status,
        vulnerabilities: c.vulnerabilities,
        vulnerabilitiesCount: c.count,
      });
    }
    const audit = readFileSync(path.join(ws.dir, 'data', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const scans = audit.filter((e) => e.action === 'version.scan');
    expect(scans).toHaveLength(5);
    expect(scans[3]).toMatchObject({
      details: { result: 'failed', vulnerabilities: { HIGH: 2, MEDIUM: 1 }, status: { from: 'pushed', to: 'blocked' } },
    });
  });

  it('follows the configured gate: failOn and maxCount', async () => {
    const ws = workspace('vulnerabilityGate:\n  failOn: [CRITICAL]\n  maxCount: 2\n');
    const high = await ws.register('stable-high');
    // HIGH is not in failOn, but 3 findings are over maxCount 2.
    const result = await ws.run(['scan', high, '--report', ws.report('high', 'localhost:5000/ecp-ai/callbot:stable-high'), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      passed: false,
      reasons: ['3 vulnerabilities in all (the gate allows at most 2)'],
      version: { status: 'blocked', securityScanResult: 'failed' },
    });

    const lenient = workspace('vulnerabilityGate:\n  failOn: [CRITICAL]\n');
    const id = await lenient.register('stable-high');
    const passed = await lenient.run(['scan', id, '--report', lenient.report('high', 'localhost:5000/ecp-ai/callbot:stable-high')]);
    expect(passed.code).toBe(0);
    expect(await show(lenient, id)).toMatchObject({ status: 'ready', securityScanResult: 'passed', vulnerabilities: { HIGH: 2, MEDIUM: 1 } });
  });

  it('update-manifests refuses the blocked version and takes the ready one', async () => {
    const ws = workspace();
    const blocked = await ws.register('stable-bad0001');
    const ready = await ws.register('stable-good001');
    expect((await ws.run(['scan', blocked, '--report', ws.report('critical', 'localhost:5000/ecp-ai/callbot:stable-bad0001')])).code).toBe(1);
    expect((await ws.run(['scan', ready, '--report', ws.report('no-vulnerabilities-key', 'localhost:5000/ecp-ai/callbot:stable-good001')])).code).toBe(0);

    const manifest = path.join(ws.dir, 'k8s-manifests', 'test-download', 'callbot.yaml');
    const before = readFileSync(manifest, 'utf8');
    const refused = await ws.run(['update-manifests', 'test-download', '--version', blocked, '--skip-registry-check', '--reason', 'test']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('blocked');
    expect(readFileSync(manifest, 'utf8')).toBe(before);

    const written = await ws.run(['update-manifests', 'test-download', '--version', ready, '--skip-registry-check', '--reason', 'test']);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(manifest, 'utf8')).toContain('image: localhost:5000/ecp-ai/callbot:stable-good001 # managed by ecp');
  });
});

describe('ecp scan errors (exit 2, nothing changed)', () => {
  it('refuses a report of another image, a file that is not a report, and an unknown version', async () => {
    const ws = workspace();
    const id = await ws.register('stable-1234567');
    const other = await ws.run(['scan', id, '--report', ws.report('critical', 'localhost:5000/ecp-ai/callbot:stable-7654321')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`Version ${id} was not scanned: the report`);
    expect(other.stderr).toContain('is of localhost:5000/ecp-ai/callbot:stable-7654321, not of localhost:5000/ecp-ai/callbot:stable-1234567.');

    const notReport = path.join(tempDir(), 'sbom.json');
    writeFileSync(notReport, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }));
    const bad = await ws.run(['scan', id, '--report', notReport]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`ecp: ${notReport} is not a Trivy JSON report (no SchemaVersion); expected the output of \`trivy image --format json\`.`);

    const missing = await ws.run(['scan', 'callbot-nope-1', '--report', notReport]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('ecp: No version has the id "callbot-nope-1".');

    expect(await show(ws, id)).toMatchObject({ status: 'pushed', securityScanResult: 'pending' });
  });

  it('without --report and without trivy on PATH: exit 2 saying so', async () => {
    const ws = workspace();
    const id = await ws.register('stable-1234567');
    const result = await ws.run(['scan', id], { PATH: path.dirname(process.execPath) + path.delimiter + '/usr/bin' + path.delimiter + '/bin' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('ecp: trivy is not on PATH: install Trivy, or scan elsewhere and import the report with --report FILE.');
  });
});
