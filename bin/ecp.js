#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node
// Starts ecp from an esbuild bundle of source/ and its dependencies under dist/ (git-ignored). The bundle is keyed by
// the newest source file's mtime, so it is rebuilt whenever a source changes: a fresh clone needs
// no build step and nobody runs stale code. Code splitting keeps start-up fast: a command loads
// only the libraries it uses.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

// This file's own mtime counts too: a change to how the bundle is built makes a new one. So do
// installs (the lock file) and dependency patches (patches/, applied by `npm install`).
const inputs = ['package.json', 'package-lock.json', fileURLToPath(import.meta.url)].map((f) => statSync(path.resolve(root, f), { throwIfNoEntry: false })?.mtimeMs ?? 0);
const key = Math.floor(Math.max(newestMtime(path.join(root, 'source')), newestMtime(path.join(root, 'patches')), ...inputs)).toString(36);
const bundleDir = path.join(dist, `b-${key}`);
const entry = path.join(bundleDir, 'cli.js');

/**
 * Yoga (Ink's layout) fetched its own wasm binary, a data: URI, with the global fetch: that loaded
 * Node's fetch (undici, about 20 ms) at every console start. In the bundle it decodes the URI in
 * place, as it does where there is no fetch. A Yoga whose loader reads otherwise fails the build.
 */
const yogaDecodesInPlace = {
  name: 'yoga-decodes-in-place',
  setup(build) {
    build.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const fetching = 'function ya(){return w||"function"!=typeof fetch?';
      if (!text.includes(fetching)) throw new Error(`${args.path} no longer reads as bin/ecp.js expects: check yogaDecodesInPlace`);
      return { contents: text.replace(fetching, 'function ya(){return w||ua(H)||"function"!=typeof fetch?'), loader: 'js' };
    });
  },
};

if (!existsSync(entry)) {
  // On stderr, so that it never mixes with a command's output (--json).
  process.stderr.write(`ecp: building dist/${path.basename(bundleDir)}, the bundle it runs from (once after a change to source/ or an install)… `);
  const started = performance.now();
  const { build } = await import('esbuild');
  mkdirSync(dist, { recursive: true });
  // Several ecp processes may start at once: each builds into its own folder, then renames it.
  const temp = path.join(dist, `tmp-${process.pid}-${Date.now()}`);
  await build({
    entryPoints: [path.join(root, 'source', 'cli.tsx')],
    outdir: temp,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies are bundled too: loading @kubernetes/client-node as one file takes 0.16 s
    // against 0.55 s for its hundreds of modules. Left out: packages with native add-ons.
    external: ['dockerode', 'ssh2', 'cpu-features', 'esbuild', 'react-devtools-core'],
    // (ink loads react-devtools-core only when DEV=true; it is not installed.)
    // Bundled CommonJS dependencies call require().
    banner: { js: "import { createRequire as __ecpCreateRequire } from 'node:module'; const require = __ecpCreateRequire(import.meta.url);" },
    jsx: 'automatic',
    // The console runs React's production build (cli.tsx): its development build, 0.8 MB that
    // every console start parsed and kept, is left out of the bundle.
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [yogaDecodesInPlace],
    // Maps beside the bundle, not inside it: inline maps cost the console ~50 MB of heap.
    sourcemap: 'linked',
    // No comments or indentation: V8 keeps every chunk's source text in memory, and one non-ASCII
    // character in a kept comment stores a whole chunk as UTF-16 (client-node's: 10 MB).
    minifyWhitespace: true,
    minifySyntax: true,
    // A failure is thrown, and printed, once the line above is ended.
    logLevel: 'silent',
  }).catch((error) => {
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

// Node 22.1 and later keep V8's compiled code of the bundle between runs, keyed by each chunk's
// content. A rebuild removes the folder with the old bundles when it is an hour old; the next start
// makes it again. Node 20 has no such cache for ES modules.
module.enableCompileCache?.(path.join(dist, 'compile-cache'));

// With DEBUG=1 stack traces point into source/ (the maps are read only then).
if (process.env.DEBUG === '1' || process.env.DEBUG === 'true') process.setSourceMapsEnabled(true);
await import(pathToFileURL(entry).href);
