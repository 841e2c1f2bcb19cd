/**
 * Issue 17: `ecp serve` and `ecp serve token new` as an operator runs them (the real binary):
 * loopback only without TLS unless --insecure-listen, HTTPS with a certificate, --readonly, a
 * log line per request without tokens, and a clean exit on SIGTERM.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../source/server/principal.js';
import { startTarget } from '../helpers/cluster-target.js';
import { ecpBin, runEcp } from '../helpers/run-ecp.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A folder with tenants and a config admitting `tokens` (role → token). */
function project(tokens: Record<string, string>): string {
  const repo = gitRepo();
  execFileSync('cp', ['-r', path.resolve('k8s-manifests'), repo]);
  const lines = Object.entries(tokens).map(([role, token]) => `    - {sha256: ${sha256Hex(token)}, identity: ${role}@example.com, role: ${role}}`);
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${tempDir()}\nserver:\n  tokens:${lines.length ? `\n${lines.join('\n')}` : ' []'}\n`);
  return repo;
}

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `ecp serve ARGS` and resolves once it says where it listens. */
function serve(cwd: string, args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [ecpBin, 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: path.join(cwd, 'no-kubeconfig') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(stderr);
      if (m) resolve({ child, url: m[1]!, stderr: () => stderr, stop: () => new Promise((done) => (child.once('exit', (code) => done(code)), child.kill('SIGTERM'))) });
    });
    child.once('exit', (code) => reject(new Error(`ecp serve exited ${code} before listening: ${stderr}`)));
  });
}

describe('ecp serve token new (issue 17)', () => {
  it('prints a fresh token once on stdout and the config line with its sha256 on stderr', async () => {
    const a = await runEcp(['serve', 'token', 'new', '--identity', 'ci@example.com', '--role', 'operator']);
    const b = await runEcp(['serve', 'token', 'new', '--identity', 'ci@example.com', '--role', 'operator']);
    expect(a.code).toBe(0);
    const token = a.stdout.trim();
    expect(token).toMatch(/^ecp_[A-Za-z0-9_-]{43}$/);
    expect(b.stdout.trim()).not.toBe(token);
    expect(a.stderr).toContain(`- {sha256: ${sha256Hex(token)}, identity: "ci@example.com", role: operator}`);
    expect(a.stderr).not.toContain(token);
  });

  it('refuses a role that does not exist, and a missing identity (exit 2)', async () => {
    const role = await runEcp(['serve', 'token', 'new', '--identity', 'x@example.com', '--role', 'admin']);
    expect(role).toMatchObject({ code: 2, stdout: '' });
    expect(role.stderr).toBe('ecp: --role must be one of reader, operator, approver, not "admin".\n');
    expect((await runEcp(['serve', 'token', 'new', '--role', 'reader'])).code).toBe(2);
  });
});

describe('ecp serve (issue 17)', () => {
  it('refuses to listen beyond loopback without TLS, and says how', async () => {
    const repo = project({});
    const r = await runEcp(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ecp: Refusing to listen on 0\.0\.0\.0 without TLS: .*--tls-cert FILE --tls-key FILE.*--insecure-listen\.\n$/);
  });

  it('says so when the port is taken (exit 2)', async () => {
    const repo = project({});
    const first = await serve(repo, []);
    // With a cluster configured, whose live watch must not keep the refused process alive.
    const cluster = await startTarget('sandbox');
    const r = await runEcp(['serve', '--port', new URL(first.url).port], { cwd: repo, env: { KUBECONFIG: cluster.kubeconfig } });
    await cluster.stop();
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`ecp: Port ${new URL(first.url).port} on 127\\.0\\.0\\.1 is in use: stop what listens there or pass --port N\\.\\n$`));
    expect(await first.stop()).toBe(0);
  });

  it('listens beyond loopback with --insecure-listen, warning, and stops cleanly on SIGTERM', async () => {
    const repo = project({ reader: 'reader-token-1' });
    const s = await serve(repo, ['--host', '0.0.0.0', '--insecure-listen']);
    expect(s.stderr()).toContain('warning: listening on 0.0.0.0 without TLS (--insecure-listen): bearer tokens cross the network in clear.');
    const port = new URL(s.url).port;
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/image-management/versions/callbot`, { headers: { authorization: 'Bearer reader-token-1' } });
    expect(r.status).toBe(200);
    expect(await s.stop()).toBe(0);
    expect(s.stderr()).toMatch(/ reader@example\.com GET \/api\/v1\/image-management\/versions\/callbot 200 \d+ms\n/);
    expect(s.stderr()).not.toContain('reader-token-1');
  });

  it('serves HTTPS beyond loopback with --tls-cert and --tls-key', async () => {
    const repo = project({ reader: 'reader-token-2' });
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], {
      stdio: 'ignore',
    });
    const s = await serve(repo, ['--host', '0.0.0.0', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')]);
    expect(s.url).toMatch(/^https:\/\//);
    expect(s.stderr()).not.toContain('warning: listening');
    const { stdout } = await run('curl', ['-sk', '-H', 'Authorization: Bearer reader-token-2', `https://127.0.0.1:${new URL(s.url).port}/api/v1/image-management/audit/verify`]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, count: 0 });
    expect(await s.stop()).toBe(0);
  });

  it('--readonly refuses what would change something, to every role, and still answers reads', async () => {
    const repo = project({ operator: 'operator-token-3' });
    const s = await serve(repo, ['--readonly']);
    expect(s.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(read-only, /);
    const headers = { authorization: 'Bearer operator-token-3', 'content-type': 'application/json' };
    const body = JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: 'v1', full_image_name: 'localhost:5000/ecp-ai/callbot:v1', git_commit: 'abc', git_branch: 'main' });
    const refused = await fetch(`${s.url}/api/v1/image-management/versions/register`, { method: 'POST', headers, body });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/read-only mode/);
    expect((await fetch(`${s.url}/api/v1/image-management/versions/callbot`, { headers })).status).toBe(200);
    expect(await s.stop()).toBe(0);
  });
});
