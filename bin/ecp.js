#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=16384 node
// Starts ecp from bundles of source/ and its dependencies under dist/ (git-ignored), built by
// scripts/build-bundle.mjs. They are keyed by the newest source file's mtime, so they are rebuilt
// whenever a source changes: a fresh clone needs no build step and nobody runs stale code.
// Every command line runs from the quick bundle first: one CommonJS script compiled with V8's
// code cache, which declines (before it has read more than the config) what needs a module it
// left out; then the full bundle, ES modules split so that each command loads only its libraries.
//
// Line 1 caps glibc's malloc arenas at two, and gives blocks of 16 KB and more their own mappings
// (returned when freed, not left in the main heap between live ones): the console's RSS is
// ~11 and ~7–10 MB lower (docs/benchmarks.md).
// `env -S` is GNU coreutils 8.30+, the BSDs and macOS; elsewhere run `node bin/ecp.js`.
//
// This file is CommonJS (bin/package.json): an ES module as the main module starts Node's ES
// module loader, 3–4 ms that a quick command does not otherwise need.
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, enableCompileCache } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

/**
 * The newest mtime of a folder, its own included (a removed file changes it), or 0 when missing.
 * It runs at every start over ~280 files: names are joined by hand, as path.join's normalising
 * took half of its time (5 → 2 ms).
 */
function newestMtime(dir) {
  let newest = statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newest === 0) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = `${dir}/${entry.name}`;
    const mtime = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

// This file and the build script count too: a change to how the bundles are built or run makes
// new ones. So do installs (the lock file) and dependency patches (patches/, applied by `npm install`).
const inputs = ['package.json', 'package-lock.json', 'bin/ecp.js', 'scripts/build-bundle.mjs'].map((f) => statSync(path.join(root, f), { throwIfNoEntry: false })?.mtimeMs ?? 0);
const key = Math.floor(Math.max(newestMtime(path.join(root, 'source')), newestMtime(path.join(root, 'patches')), ...inputs)).toString(36);
const bundleDir = path.join(dist, `b-${key}`);
// With DEBUG=1 stack traces point into source/ (the maps are read only then).
const debugging = process.env.DEBUG === '1' || process.env.DEBUG === 'true';

/** Builds the bundles into `bundleDir`, saying so on stderr. */
async function buildBundleDir() {
  // On stderr, so that it never mixes with a command's output (--json).
  process.stderr.write(`ecp: building dist/${path.basename(bundleDir)}, the bundle it runs from (once after a change to source/ or an install)… `);
  const started = performance.now();
  const { buildBundles } = await import(pathToFileURL(path.join(root, 'scripts', 'build-bundle.mjs')).href);
  mkdirSync(dist, { recursive: true });
  // Several ecp processes may start at once: each builds into its own folder, then renames it.
  const temp = path.join(dist, `tmp-${process.pid}-${Date.now()}`);
  await buildBundles(root, temp).catch((error) => {
    process.stderr.write('failed.\n');
    throw error;
  });
  process.stderr.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  try {
    renameSync(temp, bundleDir);
  } catch {
    rmSync(temp, { recursive: true, force: true }); // another process got there first
  }
  // Old bundles go once they are an hour old (a running console may still load chunks from its own).
  for (const name of readdirSync(dist)) {
    const full = path.join(dist, name);
    if (full !== bundleDir && Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
  }
}

/**
 * Runs the quick bundle (source/cli-quick.ts) as a CommonJS module, compiled with the V8 code
 * cache beside it: the code of every function that the first run of a command compiled (a run
 * of --help compiles little of what the commands share: the config, the store). Resolves to the
 * exit code, or to undefined when the full bundle is to run the command line.
 */
async function runQuickBundle() {
  const file = path.join(bundleDir, 'quick.cjs');
  // Node applies source maps to what require() loads, not to a vm.Script: debugging goes without the cache.
  if (debugging) return require(file).runQuick();
  const cacheFile = `${file}.v8-cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // Node's own wrapper of a CommonJS module, on a line of its own so that lines match the file.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${readFileSync(file, 'utf8')}\n})`, { filename: file, lineOffset: -1, cachedData });
  const quick = { exports: {} };
  script.runInThisContext()(quick.exports, createRequire(file), quick, file, bundleDir);
  const code = await quick.exports.runQuick();
  const ranCommand = code === 0 && args.some((arg) => !arg.startsWith('-'));
  if ((cachedData === undefined || script.cachedDataRejected) && ranCommand) {
    try {
      const temp = `${cacheFile}-${process.pid}`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
    } catch {
      // a read-only dist/: each run compiles the bundle, as without a cache
    }
  }
  return code;
}

/**
 * A command line of flags alone, but for --help and --version, opens the console or runs
 * `--once`: the quick bundle would only decline it, after loading itself (~2.5 MB of memory and
 * ~20 ms more for a console start). Either bundle runs any command line alike; this only saves
 * the detour.
 */
const args = process.argv.slice(2);
const fullBundleOnly = args.every((arg) => arg.startsWith('-')) && !args.some((arg) => ['--help', '-h', '--version'].includes(arg));

async function main() {
  if (!existsSync(bundleDir)) await buildBundleDir();
  if (debugging) process.setSourceMapsEnabled(true);
  const code = fullBundleOnly ? undefined : await runQuickBundle();
  if (code !== undefined) {
    process.exitCode = code;
    return;
  }
  // Node 22.1 and later keep V8's compiled code of the full bundle between runs, keyed by each
  // chunk's content. A rebuild removes the folder with the old bundles when it is an hour old; the
  // next start makes it again. Node 20 has no such cache for ES modules.
  enableCompileCache?.(path.join(dist, 'compile-cache'));
  await import(pathToFileURL(path.join(bundleDir, 'cli.js')).href);
}

main().catch((error) => {
  // As Node prints an error an ES module's top level threw (a failed build, a bug).
  process.exitCode = 1;
  console.error(error);
});
