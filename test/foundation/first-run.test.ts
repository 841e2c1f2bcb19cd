/** The first run after `npm install` (issue 15, item 10): the bundle build says what it does; the lock stays as npm writes it. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

interface PackageJson {
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

/** A checkout of its own (bin/ copied, the rest linked), so that it has no dist/ yet. */
function checkout(): string {
  const root = tempDir('ecp-first-run-');
  mkdirSync(path.join(root, 'bin'));
  for (const file of ['ecp.js', 'package.json']) copyFileSync(path.join(repoRoot, 'bin', file), path.join(root, 'bin', file));
  for (const entry of ['source', 'scripts', 'patches', 'node_modules', 'package.json', 'package-lock.json']) symlinkSync(path.join(repoRoot, entry), path.join(root, entry));
  return root;
}

describe('first run', () => {
  it('says on stderr that it builds the bundle, once; stdout holds only the output', () => {
    const root = checkout();
    const version = () => {
      const { stdout, stderr, status } = spawnSync(process.execPath, [path.join(root, 'bin', 'ecp.js'), '--version'], { encoding: 'utf8' });
      return { stdout, stderr, status };
    };
    const first = version();
    expect(first).toMatchObject({ status: 0, stdout: `${manifest.version}\n` });
    expect(first.stderr).toMatch(/^ecp: building dist\/b-\w+, the bundle it runs from \(once after a change to source\/ or an install\)… done in \d+\.\d s\n$/);
    expect(version()).toEqual({ status: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it("writes V8's code cache of the quick bundle after a command's first run, and replaces one V8 cannot use", () => {
    const root = checkout();
    const cwd = tempDir('ecp-first-run-cwd-');
    const list = () =>
      spawnSync(process.execPath, [path.join(root, 'bin', 'ecp.js'), 'versions', 'list', 'callbot'], { cwd, env: { ...process.env, HOME: cwd, ECP_DATA_DIR: '', ECP_STORE: '' }, encoding: 'utf8' });
    const expected = { status: 0, stdout: 'No versions of callbot are registered.\n' };
    expect(list()).toMatchObject(expected); // builds the bundles, then runs
    const [bundle] = readdirSync(path.join(root, 'dist')).filter((name) => name.startsWith('b-'));
    const cache = path.join(root, 'dist', bundle!, 'quick.cjs.v8-cache');
    expect(existsSync(cache)).toBe(true);
    const garbage = Buffer.alloc(readFileSync(cache).length, 7);
    writeFileSync(cache, garbage);
    expect(list()).toMatchObject({ ...expected, stderr: '' });
    expect(readFileSync(cache).equals(garbage)).toBe(false);
  });

  it("keeps package-lock.json as npm install writes it: its root entry has package.json's dependencies and install script", () => {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
    const rootEntry = lock.packages['']!;
    expect(rootEntry.dependencies).toEqual(manifest.dependencies);
    expect(rootEntry.devDependencies).toEqual(manifest.devDependencies);
    const installs = ['preinstall', 'install', 'postinstall'].some((script) => manifest.scripts[script] !== undefined);
    expect(rootEntry.hasInstallScript === true).toBe(installs);
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  });
});
