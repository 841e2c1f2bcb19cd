/** Shared by the sandbox tests: a sandbox per test file, a small HTTP client, and the real kubectl. */
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';

const started: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/**
 * A sandbox stopped when the test file ends, with a kubeconfig written beside a private kubectl
 * cache, and `namespaces` created (as on a real cluster, nothing can be created in one that is missing).
 */
export async function sandbox(options: SandboxOptions & { namespaces?: string[] } = {}): Promise<Sandbox & { kubeconfig: string; cacheDir: string }> {
  const dir = tempDir('ecp-sandbox-test-');
  const sb = await startSandbox(options);
  started.push(sb);
  for (const name of options.namespaces ?? []) {
    const reply = await call(sb, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (reply.status !== 201) throw new Error(`namespace ${name}: ${reply.status}`);
  }
  const kubeconfig = await sb.writeKubeconfig(path.join(dir, 'kubeconfig'));
  return Object.assign(sb, { kubeconfig, cacheDir: path.join(dir, 'cache') });
}

export interface Reply {
  status: number;
  contentType: string;
  /** Parsed JSON (read field by field in the tests), or the text when it is not JSON. */
  body: any;
}

export async function call(sb: Pick<Sandbox, 'url'>, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(sb.url + urlPath, {
    method,
    body: text,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // text replies (healthz) stay text
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed };
}

export const patchTypes = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function deployment(name: string, namespace: string, image: string, replicas = 1): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
    },
  };
}

/** A Deployment or StatefulSet manifest as a user writes it; `spec` and `container` are extra lines, indented. */
export function workloadYaml(kind: 'Deployment' | 'StatefulSet', name: string, options: { namespace?: string; replicas?: number; labels?: boolean; spec?: string; container?: string } = {}): string {
  const { namespace, replicas, labels, spec = '', container = '' } = options;
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}${labels ? `  labels: {app: ${name}}\n` : ''}spec:
${replicas === undefined ? '' : `  replicas: ${replicas}\n`}${spec}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: ${name}
        image: localhost:5000/ecp-ai/${name}:v1
${container}`;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real kubectl on PATH, with its own discovery cache so no run sees another's. */
export function kubectl(sb: { kubeconfig: string; cacheDir: string }, args: string[], cwd?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', sb.kubeconfig, ...args], { cwd, env: { ...process.env, KUBECACHEDIR: sb.cacheDir }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface WatchStream {
  status: number;
  /** The next event line, parsed; rejects after `ms` without one. */
  next(ms?: number): Promise<{ type: string; object: any }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch and reads its events line by line. */
export function openWatch(sb: Pick<Sandbox, 'url'>, urlPath: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(sb.url + urlPath, { headers: { accept: 'application/json' } }, (res) => {
      const queue: string[] = [];
      const waiting: ((line: string) => void)[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const waiter = waiting.shift();
          if (waiter) waiter(line);
          else queue.push(line);
        }
      });
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({
        status: res.statusCode ?? 0,
        next(ms = 2000) {
          const line = queue.shift();
          if (line !== undefined) return Promise.resolve(JSON.parse(line));
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no watch event within ${ms} ms`)), ms);
            waiting.push((l) => {
              clearTimeout(timer);
              ok(JSON.parse(l));
            });
          });
        },
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
