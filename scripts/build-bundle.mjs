/**
 * The two bundles bin/ecp.js runs ecp from, built with esbuild from source/ and its dependencies:
 *
 * - quick.cjs, the quick bundle (source/cli-quick.ts): the command line and every command but
 *   the ones that talk to a cluster, serve or draw the console, in one CommonJS script that
 *   bin/ecp.js compiles with V8's code cache. Where the command line reaches a module left out
 *   (FULL_BUNDLE_ONLY), it throws NotInQuickBundle and bin/ecp.js runs the full bundle.
 * - cli.js and chunks/, the full bundle (source/cli.tsx): ES modules with code splitting, so that
 *   a command or the console loads only the libraries it uses.
 */
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * What only the full bundle holds, each a dynamic import's target: the commands that load the
 * Kubernetes client (2.5 MB of JavaScript), fastify or the Docker client (`build`, whose start
 * is the engine's), `--once`, and the team store (which `store migrate` loads as it runs, so the
 * store commands go too). The console is not reached
 * from the quick entry at all. A module left here by mistake only makes a command slower to
 * start; test/foundation/startup-modules.test.ts fails when the quick bundle holds the Kubernetes
 * client, Ink, React or fastify.
 */
const FULL_BUNDLE_ONLY = [
  'commands/apply.ts',
  'commands/build.ts',
  'commands/deploy.ts',
  'commands/monitor.ts',
  'commands/once.ts',
  'commands/rollback.ts',
  'commands/sandbox.ts',
  'commands/serve.ts',
  'commands/store.ts',
  'commands/validate.ts',
  'adapters/kube.ts',
  'store/kubernetes/store.ts',
];

/** In the quick bundle, a dynamic import of a FULL_BUNDLE_ONLY module becomes one that throws NotInQuickBundle. */
function notInQuickBundle(source) {
  const leftOut = new Set(FULL_BUNDLE_ONLY.map((file) => path.join(source, file)));
  return {
    name: 'not-in-quick-bundle',
    setup(b) {
      b.onResolve({ filter: /\.js$/ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        if (args.kind !== 'dynamic-import' || !leftOut.has(target)) return undefined;
        return { path: target, namespace: 'not-in-quick-bundle' };
      });
      b.onLoad({ filter: /.*/, namespace: 'not-in-quick-bundle' }, (args) => ({
        contents: `import { NotInQuickBundle } from ${JSON.stringify(path.join(source, 'errors.ts'))};\nthrow new NotInQuickBundle(${JSON.stringify(path.relative(source, args.path))});\n`,
        loader: 'ts',
        resolveDir: source,
      }));
    },
  };
}

/**
 * node:crypto loads ~17 internal modules (2–3 ms) at the start of every command, while only
 * writes call it (the audit chain's hashes, temp names, lock tokens). In the quick bundle each of
 * its functions loads it when first called; importing anything else of it fails the build.
 */
const cryptoOnFirstCall = {
  name: 'crypto-on-first-call',
  setup(b) {
    b.onResolve({ filter: /^node:crypto$/ }, (args) => (args.kind === 'import-statement' ? { path: 'node:crypto', namespace: 'crypto-on-first-call' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'crypto-on-first-call' }, () => ({
      contents: Object.keys(crypto)
        .filter((name) => /^[a-z]/.test(name) && typeof crypto[name] === 'function')
        .map((name) => `export const ${name} = (...args) => require('node:crypto').${name}(...args);`)
        .join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * Yoga (Ink's layout) fetched its own wasm binary, a data: URI, with the global fetch: that loaded
 * Node's fetch (undici, about 20 ms) at every console start. In the bundle it decodes the URI in
 * place, as it does where there is no fetch. A Yoga whose loader reads otherwise fails the build.
 */
const yogaDecodesInPlace = {
  name: 'yoga-decodes-in-place',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const fetching = 'function ya(){return w||"function"!=typeof fetch?';
      if (!text.includes(fetching)) throw new Error(`${args.path} no longer reads as scripts/build-bundle.mjs expects: check yogaDecodesInPlace`);
      return { contents: text.replace(fetching, 'function ya(){return w||ua(H)||"function"!=typeof fetch?'), loader: 'js' };
    });
  },
};

/**
 * node-fetch 2 (client-node's HTTP) requires whatwg-url only for a URL class where Node has none
 * (`Url.URL || whatwgUrl.URL`); loading it built tr46's Unicode table, ~2 MB of the console's heap
 * and 0.3 MB of source kept with it. In the bundle it is Node's URL. A node-fetch that uses
 * whatwg-url otherwise fails the build.
 */
const whatwgUrlIsNodes = {
  name: 'whatwg-url-is-nodes',
  setup(b) {
    b.onResolve({ filter: /^whatwg-url$/ }, (args) => {
      const uses = readFileSync(args.importer, 'utf8').match(/\bwhatwgUrl\b[^\n]*/g) ?? [];
      if (!/[\\/]node-fetch[\\/]/.test(args.importer) || uses.some((use) => !/^whatwgUrl = _interopDefault\(require\('whatwg-url'\)\);$|^whatwgUrl\.URL;$/.test(use))) {
        throw new Error(`${args.importer} uses whatwg-url otherwise than scripts/build-bundle.mjs expects: check whatwgUrlIsNodes`);
      }
      return { path: 'whatwg-url', namespace: 'whatwg-url-is-nodes' };
    });
    b.onLoad({ filter: /.*/, namespace: 'whatwg-url-is-nodes' }, () => ({ contents: 'exports.URL = URL;', loader: 'js' }));
  },
};

/** Builds both bundles of `root`'s source/ into `outdir`. */
export async function buildBundles(root, outdir) {
  const source = path.join(root, 'source');
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    // Dependencies are bundled too: loading @kubernetes/client-node as one file takes 0.16 s
    // against 0.55 s for its hundreds of modules. Left out: packages with native add-ons.
    external: ['dockerode', 'ssh2', 'cpu-features', 'esbuild', 'react-devtools-core'],
    // (ink loads react-devtools-core only when DEV=true; it is not installed.)
    jsx: 'automatic',
    // The console runs React's production build (cli.tsx): its development build, 0.8 MB that
    // every console start parsed and kept, is left out of the bundle.
    define: { 'process.env.NODE_ENV': '"production"' },
    // Maps beside the bundle, not inside it: inline maps cost the console ~50 MB of heap.
    sourcemap: 'linked',
    // No comments or indentation: V8 keeps every chunk's source text in memory, and one non-ASCII
    // character in a kept comment stores a whole chunk as UTF-16 (client-node's: 10 MB).
    minifyWhitespace: true,
    minifySyntax: true,
    // A failure is thrown, and printed by bin/ecp.js once its line is ended.
    logLevel: 'silent',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(source, 'cli.tsx')],
      outdir,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      // Bundled CommonJS dependencies call require().
      banner: { js: "import { createRequire as __ecpCreateRequire } from 'node:module'; const require = __ecpCreateRequire(import.meta.url);" },
      plugins: [yogaDecodesInPlace, whatwgUrlIsNodes],
    }),
    build({
      ...common,
      entryPoints: [path.join(source, 'cli-quick.ts')],
      outfile: path.join(outdir, 'quick.cjs'),
      format: 'cjs',
      // import.meta is the ES modules' (the full bundle's); here it is the script's own file.
      define: { ...common.define, 'import.meta.url': '__ecpImportMetaUrl' },
      banner: { js: 'var __ecpImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
      plugins: [notInQuickBundle(source), cryptoOnFirstCall],
    }),
  ]);
}
