/**
 * What the binary loads to start a command (issue 18): the JavaScript files a run read and the
 * packages their source maps name. Start-up time follows from these: a command line runs from
 * the quick bundle (one script, with V8's code cache) unless it needs what only the full bundle
 * holds, and a static import added in the wrong place brings a whole client into the quick one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ecpBin } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Preloaded into the binary: appends to $ECP_TEST_LOADED each JavaScript file read with
 * readFileSync (how bin/ecp.js reads the quick bundle) and, through a module hook on Node's
 * loader thread, each ES module loaded (the full bundle's chunks).
 */
const recorder = `const fs = require('node:fs');
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && /\\.c?js$/.test(file)) fs.appendFileSync(process.env.ECP_TEST_LOADED, require('node:url').pathToFileURL(file).href + '\\n');
  return readFileSync.call(this, file, ...rest);
};
require('node:module').register('data:text/javascript,' + encodeURIComponent("import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(process.env.ECP_TEST_LOADED, url + '\\\\n'); return next(url, context); }"));
`;

interface Loaded {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The bundle's files the run read or imported, by name (quick.cjs, cli.js, chunks/…). */
  files: string[];
  /** Their size in bytes. */
  bytes: number;
  /** The npm packages (`@scope/name` or `name`) whose code those files hold. */
  packages: Set<string>;
}

/** Runs the binary in an empty folder and returns what it loaded of the bundles. */
function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Loaded {
  const dir = tempDir('ecp-startup-');
  const log = path.join(dir, 'loaded.txt');
  const preload = path.join(dir, 'record-loads.cjs');
  writeFileSync(preload, recorder);
  const run = spawnSync(process.execPath, ['--require', preload, ecpBin, ...args], {
    cwd: dir,
    env: { ...process.env, HOME: dir, KUBECONFIG: '', ECP_DATA_DIR: '', ECP_STORE: '', DEBUG: '', ...env, ECP_TEST_LOADED: log },
    encoding: 'utf8',
  });
  const urls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  const bundled = [...new Set(urls.filter((u) => u.startsWith('file:') && /\/dist\/b-\w+\//.test(u)).map((u) => fileURLToPath(u)))];
  const packages = new Set<string>();
  for (const file of bundled) {
    for (const source of (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources) {
      const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
      if (inPackage) packages.add(inPackage[1]!);
    }
  }
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    files: bundled.map((f) => f.replace(/.*\/dist\/b-\w+\//, '')),
    bytes: bundled.reduce((sum, f) => sum + statSync(f).size, 0),
    packages,
  };
}

/** What never belongs in the quick bundle: each is most of a slow command's start. */
const FULL_BUNDLE_PACKAGES = ['@kubernetes/client-node', 'ws', 'ink', 'react', 'yoga-layout', 'fastify'];

describe('modules loaded at start-up', () => {
  it('`ecp versions list` on the file store runs from the quick bundle alone: one file, under 700 KB, without the Kubernetes client, Ink or fastify', () => {
    const run = loadedBy(['versions', 'list', 'callbot']);
    expect(run).toMatchObject({ status: 0, stdout: 'No versions of callbot are registered.\n', stderr: '' });
    expect(run.files).toEqual(['quick.cjs']);
    expect(run.bytes).toBeLessThan(700_000);
    for (const name of FULL_BUNDLE_PACKAGES) expect(run.packages, name).not.toContain(name);
  });

  it('`ecp versions list` on the team store is run by the full bundle, which loads the Kubernetes client (and says there is no kubeconfig)', () => {
    const run = loadedBy(['versions', 'list', 'callbot'], { ECP_STORE: 'kubernetes' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('ecp: The store backend is kubernetes (ECP_STORE or store.backend), but no kubeconfig was found (KUBECONFIG or ~/.kube/config).\n');
    expect(run.files).toContain('cli.js');
    expect(run.packages).toContain('@kubernetes/client-node');
    // node-fetch's fallback URL class and its Unicode table (~2 MB of heap): Node's URL serves.
    expect(run.packages).not.toContain('whatwg-url');
    expect(run.packages).not.toContain('tr46');
  });

  it('a command the quick bundle leaves out (`ecp deploy --help`) is run by the full bundle, once', () => {
    const run = loadedBy(['deploy', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^build → update manifests → validate → apply → wait for rollout → git tag\n\nUsage\n {2}ecp deploy /);
    expect(run.stdout.match(/^Usage$/gm)).toHaveLength(1);
    expect(run.stderr).toBe('');
    expect(run.files.slice(0, 2)).toEqual(['quick.cjs', 'cli.js']);
  });

  it('the console (`ecp --sandbox`, here without a terminal) starts from the full bundle, not reading the quick one', () => {
    const run = loadedBy(['--sandbox']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('ecp: The console needs a terminal; in scripts use `ecp --once` or a command (`ecp --help` lists them).\n');
    expect(run.files[0]).toBe('cli.js');
    expect(run.files).not.toContain('quick.cjs');
  });

  it('`ecp --help` runs from the quick bundle and loads no ES module of the full one', () => {
    const run = loadedBy(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  versions list ');
    expect(run.files).toEqual(['quick.cjs']);
  });
});
