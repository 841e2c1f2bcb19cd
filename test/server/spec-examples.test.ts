/**
 * Issue 17: the specification's curl examples, verbatim (SPEC-ko.md §2–3, the API troubleshooting
 * line), run by the real curl against `ecp serve` over a sandbox, a temp store, a git repo and
 * the real registry. The token header, --connect-to (their localhost:8000 is this test's
 * server) and a status-code write-out come from a .curlrc, so the command lines stay as written.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { deploy } from '../../source/pipeline/deploy.js';
import { describeRegistry } from '../helpers/registry.js';
import { git, tempDir } from '../helpers/temp.js';
import { serverWorld, type ServerWorld } from './world.js';

const run = promisify(execFile);

const SPEC = {
  register: `curl -X POST "http://localhost:8000/api/v1/image-management/versions/register" \\
  -H "Content-Type: application/json" \\
  -d '{
    "service_name": "callbot",
    "image_name": "callbot",
    "image_tag": "v1.2.3-abc123",
    "full_image_name": "localhost:5000/ecp-ai/callbot:v1.2.3-abc123",
    "git_commit": "abc123",
    "git_branch": "main"
  }'`,
  list: `curl "http://localhost:8000/api/v1/image-management/versions/callbot?limit=10"`,
  status: `curl -X PUT "http://localhost:8000/api/v1/image-management/versions/callbot-v1.2.3-abc123-1234567890/status" \\
  -H "Content-Type: application/json" \\
  -d '{
    "status": "ready",
    "security_scan_result": "passed",
    "vulnerabilities_count": 0
  }'`,
  health: `curl "http://localhost:8000/api/v1/image-management/deployments/health"`,
  history: `curl "http://localhost:8000/api/v1/image-management/deployments/test-download/history?service_name=callbot&limit=20"`,
  rollback: `curl -X POST "http://localhost:8000/api/v1/image-management/deployments/test-download/callbot/rollback" \\
  -H "Content-Type: application/json" \\
  -d '{"reason": "성능 문제로 인한 롤백"}'`,
  serverHealth: `curl http://localhost:8000/health`,
};

const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;

await describeRegistry('the specification curl examples against ecp serve (issue 17)', (registry) => {
  let w: ServerWorld;
  let curlHome: string;

  /** Runs one example as written; returns the status and the parsed JSON body. */
  async function curl(command: string): Promise<{ status: number; body: any }> {
    const { stdout } = await run('bash', ['-c', command], { env: { ...process.env, CURL_HOME: curlHome, HOME: curlHome } });
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) };
  }

  beforeAll(async () => {
    w = await serverWorld({ registry });
    curlHome = tempDir('ecp-curl-');
    writeFileSync(
      path.join(curlHome, '.curlrc'),
      [`header = "Authorization: Bearer ${w.tokens.operator}"`, `connect-to = "localhost:8000:127.0.0.1:${w.server.port}"`, 'silent', 'write-out = "\\n%{http_code}"'].join('\n'),
    );
    // What ran before: v2, then v3, deployed to test-download (so a rollback has a target).
    for (const tag of ['v2.0.0-aaa111', 'v3.0.0-bbb222']) {
      await w.s.release(`callbot:${tag}`);
      expect((await deploy(w.s.core, w.s.client, { tenant: 'test-download', services: ['callbot'], build: false, timeoutMs: 20_000 })).ok).toBe(true);
    }
  });
  afterAll(async () => {
    vi.useRealTimers();
    await w?.stop();
  });

  it('registers the version (at the unix second of the example id, 1234567890)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_234_567_890_000 });
    const { status, body } = await curl(SPEC.register).finally(() => vi.useRealTimers());
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: 'callbot-v1.2.3-abc123-1234567890',
      service_name: 'callbot',
      image_tag: 'v1.2.3-abc123',
      full_image_name: image('v1.2.3-abc123'),
      git_commit: 'abc123',
      git_branch: 'main',
      status: 'pushed',
      security_scan_result: 'pending',
      actor: 'ci@example.com',
    });
    const audit = await w.s.core.audit.list();
    expect(audit.at(-1)).toMatchObject({ actor: 'ci@example.com', action: 'version.register', target: 'callbot-v1.2.3-abc123-1234567890' });
  });

  it('lists the versions of callbot, newest first, snake_case', async () => {
    const { status, body } = await curl(SPEC.list);
    expect(status).toBe(200);
    expect(body.service_name).toBe('callbot');
    expect(body.versions.map((v: { image_tag: string }) => v.image_tag)).toEqual(['v3.0.0-bbb222', 'v2.0.0-aaa111', 'v1.0.0-seed01', 'v1.2.3-abc123']);
    expect(Object.keys(body.versions[0])).toContain('full_image_name');
  });

  it('updates the status of the example id', async () => {
    const { status, body } = await curl(SPEC.status);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'callbot-v1.2.3-abc123-1234567890', status: 'ready', security_scan_result: 'passed', vulnerabilities_count: 0 });
    const stored = (await w.s.core.store.read()).versions.find((v) => v.id === 'callbot-v1.2.3-abc123-1234567890');
    expect(stored).toMatchObject({ status: 'ready', securityScanResult: 'passed' });
  });

  it('answers the deployment health with the metrics of test-download', async () => {
    const { status, body } = await curl(SPEC.health);
    expect(status).toBe(200);
    const tenant = body.tenants.find((t: { tenant_id: string }) => t.tenant_id === 'test-download');
    expect(tenant.total).toMatchObject({ deploys: 2, succeeded: 2, failed: 0, success_rate: 1 });
    expect(tenant.services.map((s: { service: string }) => s.service)).toEqual(['callbot']);
  });

  it('answers the history of test-download/callbot, newest first', async () => {
    const { status, body } = await curl(SPEC.history);
    expect(status).toBe(200);
    expect(body.deployments.map((d: { to_image: string; kind: string }) => [d.kind, d.to_image])).toEqual([
      ['deploy', image('v3.0.0-bbb222')],
      ['deploy', image('v2.0.0-aaa111')],
    ]);
  });

  it('rolls back as `ecp rollback` does: the manifest, the cluster, the store, git and the audit trail', async () => {
    const { status, body } = await curl(SPEC.rollback);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      from: image('v3.0.0-bbb222'),
      to: image('v2.0.0-aaa111'),
      record: { kind: 'rollback', status: 'succeeded', actor: 'ci@example.com', reason: '성능 문제로 인한 롤백' },
    });
    expect(readFileSync(w.s.manifest('test-download', 'callbot.yaml'), 'utf8')).toContain(image('v2.0.0-aaa111'));
    expect(await w.s.liveImage('test-download', 'callbot')).toBe(image('v2.0.0-aaa111'));
    const data = await w.s.core.store.read();
    expect(data.versions.find((v) => v.imageTag === 'v3.0.0-bbb222')).toMatchObject({ status: 'failed', failure: { cause: 'rolled-back', reason: '성능 문제로 인한 롤백' } });
    expect((await w.s.core.audit.list()).find((e) => e.action === 'deploy.rollback')).toMatchObject({ actor: 'ci@example.com', target: 'test-download/callbot' });
    expect(git(w.s.repo, 'tag', '--list')).toContain(body.git_tag);
  });

  it('answers the server health: store, cluster and version', async () => {
    const { status, body } = await curl(SPEC.serverHealth);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', version: 'test', store: { ok: true }, cluster: { configured: true, description: 'SANDBOX (test)', reachable: true } });
  });

  it('logged one line per request, with the identity and never a token', () => {
    expect(w.log.filter((l) => l.includes('/api/v1/image-management/')).length).toBe(6);
    expect(w.log.some((l) => / ci@example\.com POST \/api\/v1\/image-management\/deployments\/test-download\/callbot\/rollback 200 /.test(l))).toBe(true);
    for (const token of Object.values(w.tokens)) expect(w.log.join('\n')).not.toContain(token);
  });
});
