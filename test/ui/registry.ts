/**
 * A real registry (the distribution `docker-registry` binary that scripts/test-env.sh installs)
 * of the test's own, on a free loopback port with a temp storage folder, and a push of a minimal
 * image (config blob + schema 2 manifest) through its HTTP API — no Docker engine needed.
 * Without the binary the tests using it skip loudly; under CI=true they fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const CANDIDATES = ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry', '/usr/bin/registry'];

export const registryBinary = (): string | undefined => CANDIDATES.find((p) => existsSync(p));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface TestRegistry {
  /** host:port, as DOCKER_REGISTRY takes it. */
  host: string;
  /** Puts `${host}/${repository}:${tag}` into the registry; returns its digest. */
  push(repository: string, tag: string): Promise<string>;
  stop(): Promise<void>;
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function startRegistry(): Promise<TestRegistry> {
  const binary = registryBinary();
  if (!binary) throw new Error('no docker-registry binary');
  const dir = tempDir('ecp-registry-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${host}\n`);
  const child: ChildProcess = spawn(binary, ['serve', config], { stdio: 'ignore' });
  const base = `http://${host}`;
  for (let i = 0; ; i += 1) {
    const ok = await fetch(`${base}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 100) {
      child.kill('SIGKILL');
      throw new Error(`the registry at ${host} did not start`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const blob = async (repository: string, body: Buffer) => {
    const digest = sha256(body);
    const started = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(started.headers.get('location')!, base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`blob upload to ${repository} answered ${put.status}`);
    return digest;
  };
  return {
    host,
    async push(repository, tag) {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { tag } } }));
      const configDigest = await blob(repository, config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
        layers: [],
      });
      const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        body: manifest,
        headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      if (put.status !== 201) throw new Error(`manifest upload of ${repository}:${tag} answered ${put.status}: ${await put.text()}`);
      return sha256(manifest);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `describe` for tests that need a registry of their own: skipped loudly without the binary, failed under CI. */
export function describeWithRegistry(name: string, body: () => void): void {
  if (registryBinary()) {
    describe(name, body);
    return;
  }
  const reason = `no docker-registry binary (${CANDIDATES.join(', ')}); scripts/test-env.sh installs it`;
  if (process.env.CI === 'true') {
    describe(name, () => it('has the registry CI must provide', () => { throw new Error(reason); }));
    return;
  }
  process.stderr.write(`\n!!! REGISTRY TESTS SKIPPED (${name}): ${reason}.\n\n`);
  describe.skip(name, body);
}
