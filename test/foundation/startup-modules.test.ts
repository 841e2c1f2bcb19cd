/**
 * What the binary loads to start a command (issue 18): the packages behind the bundle's chunks a
 * run imported, read from each chunk's source map. Start-up time follows from these, and a
 * static import added in the wrong place brings a whole client back into every command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ecpBin } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

/** Registers a module hook (on Node's loader thread) that appends each URL it loads to $ECP_TEST_LOADED. */
const recordLoads = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent("import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(process.env.ECP_TEST_LOADED, url + '\\\\n'); return next(url, context); }"));`,
)}`;

/** The npm packages (`@scope/name` or `name`) whose code the chunks of `urls` hold. */
function packagesIn(urls: string[]): Set<string> {
  const packages = new Set<string>();
  for (const url of urls.filter((u) => u.startsWith('file:'))) {
    const map = `${fileURLToPath(url)}.map`;
    if (!existsSync(map)) continue; // bin/ecp.js itself
    for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
      const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
      if (inPackage) packages.add(inPackage[1]!);
    }
  }
  return packages;
}

/** Runs the binary in an empty folder and returns its exit code and the packages it loaded. */
function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string; packages: Set<string> } {
  const dir = tempDir('ecp-startup-');
  const log = path.join(dir, 'loaded.txt');
  const run = spawnSync(process.execPath, ['--import', recordLoads, ecpBin, ...args], {
    cwd: dir,
    env: { ...process.env, HOME: dir, KUBECONFIG: '', ECP_DATA_DIR: '', ECP_STORE: '', ...env, ECP_TEST_LOADED: log },
    encoding: 'utf8',
  });
  const urls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  expect(urls.some((u) => u.endsWith('/cli.js'))).toBe(true); // the hook saw the bundle's entry
  return { status: run.status, stderr: run.stderr, packages: packagesIn(urls) };
}

describe('modules loaded at start-up', () => {
  it('`ecp versions list` on the file store loads neither the Kubernetes client nor its WebSocket, tar or YAML libraries', () => {
    const run = loadedBy(['versions', 'list', 'callbot']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    for (const name of ['@kubernetes/client-node', 'ws', 'tar-stream', 'js-yaml']) expect(run.packages, name).not.toContain(name);
  });

  it('`ecp versions list` on the team store loads the Kubernetes client (and says there is no kubeconfig)', () => {
    const run = loadedBy(['versions', 'list', 'callbot'], { ECP_STORE: 'kubernetes' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no kubeconfig was found');
    expect(run.packages).toContain('@kubernetes/client-node');
  });

  it('`ecp --help` loads no package at all', () => {
    const run = loadedBy(['--help']);
    expect(run.status).toBe(0);
    expect([...run.packages]).toEqual([]);
  });
});
