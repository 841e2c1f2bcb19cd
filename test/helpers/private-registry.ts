/**
 * A registry of the test's own (Debian's docker-registry on a free loopback port, storage in a
 * temp folder), for tests that stop it: the shared one of scripts/test-env.sh is never stopped.
 * `describePrivateRegistry` skips loudly where the binary is missing (fails under CI=true).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describeWith } from './test-env.js';
import { tempDir } from './temp.js';
import { waitUntil } from './wait.js';

export interface PrivateRegistry {
  /** host:port, as image names and ecp's `registry` say it. */
  readonly host: string;
  /** Stops it (SIGTERM to the process this helper started); the port then refuses connections. */
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const answers = (host: string) =>
  fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.status === 200,
    () => false,
  );

export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const dir = tempDir('ecp-registry-');
  const host = `127.0.0.1:${await freePort()}`;
  const config = path.join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${host}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(() => answers(host), `the private registry on ${host} answers`, 20_000);
  return {
    host,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `describe` for tests that start their own registry. */
export function describePrivateRegistry(name: string, body: () => void): void {
  const found = spawnSync('docker-registry', ['--version'], { encoding: 'utf8' });
  const missing = found.error ? 'docker-registry is not installed (apt-get install docker-registry)' : '';
  describeWith(name, 'docker-registry', missing ? undefined : true, missing, () => body(), 'Install it: apt-get install -y docker-registry.');
}
