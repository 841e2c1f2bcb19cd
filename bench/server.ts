/**
 * `ecp serve` benchmark (issue 17): requests per second and p99 latency of
 * `GET /versions/{service}` and `POST /versions/register` on loopback, 10 connections, 10 s each,
 * with the file store, against the real `ecp serve` process (request log included). Targets:
 * ≥ 2 000 GET/s with p99 ≤ 20 ms, ≥ 300 registrations/s.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { newVersion } from '../source/domain/versions.js';
import { sha256Hex } from '../source/server/principal.js';
import { Store } from '../source/store/store.js';

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-server-'));
const token = 'ecp_bench-token';
cpSync(path.join(root, 'k8s-manifests'), path.join(dir, 'k8s-manifests'), { recursive: true });
writeFileSync(path.join(dir, 'ecp.config.yaml'), `dataDir: data\nserver:\n  tokens:\n    - {sha256: ${sha256Hex(token)}, identity: bench@example.com, role: operator}\n`);

// A full hot history: the 50 versions retention keeps per service.
await new Store(path.join(dir, 'data')).update((data) => {
  for (let i = 0; i < 50; i += 1) {
    const tag = `v1.0.${i}-seed`;
    data.versions.push(
      newVersion(
        { serviceName: 'callbot', imageName: 'callbot', imageTag: tag, fullImageName: `localhost:5000/ecp-ai/callbot:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' },
        new Date(Date.parse('2026-01-01') + i * 1000),
        new Set(),
      ),
    );
  }
});

const child = spawn(process.execPath, [path.join(root, 'bin', 'ecp.js'), 'serve', '--port', '0'], {
  cwd: dir,
  env: { ...process.env, KUBECONFIG: path.join(dir, 'none') },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise<string>((resolve, reject) => {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(stderr);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`ecp serve exited ${code}: ${stderr}`)));
});

const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const rows: string[][] = [];
const measure = async (name: string, options: Omit<Parameters<typeof autocannon>[0], 'connections' | 'duration'>, target: string) => {
  const r = await autocannon({ connections: 10, duration: 10, ...options });
  rows.push([name, String(Math.round(r.requests.average)), `${r.latency.p50} ms`, `${r.latency.p99} ms`, String(r.requests.total), String(r.non2xx + r.errors), target]);
};

try {
  await measure('GET /versions/callbot?limit=10', { url: `${url}/api/v1/image-management/versions/callbot?limit=10`, headers }, '≥ 2000/s, p99 ≤ 20 ms');
  // A new image per request (autocannon 8's idReplacement sends a wrong Content-Length).
  let n = 0;
  const body = () => {
    n += 1;
    return JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: `b-${n}`, full_image_name: `localhost:5000/ecp-ai/callbot:b-${n}`, git_commit: 'abc1234', git_branch: 'main' });
  };
  await measure(
    'POST /versions/register',
    { url: `${url}/api/v1/image-management/versions/register`, method: 'POST', headers, requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }] },
    '≥ 300/s',
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

const header = ['REQUEST', 'REQ/S', 'P50', 'P99', 'TOTAL', 'NOT 2XX', 'TARGET'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const line of [header, ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(`(${os.cpus().length} CPUs, Node ${process.version}, 10 connections, 10 s each, file store, request log on)`);
