/**
 * Build benchmark (issue 4): four services built and pushed to the real registry through the
 * build pipeline, sequential (concurrency 1) against parallel (default: the number of CPUs),
 * and a second parallel run with no source change (the layer cache).
 *
 *   scripts/test-env.sh npx tsx bench/build.ts      (or after scripts/test-env.sh --start)
 *
 * The work is real: each service sends a 4 MiB context, and its RUN step makes 24 MiB of data,
 * compresses it with gzip -9 and checksums it (about a second of CPU), so each image pushes a
 * ~24 MiB layer. Sequential and parallel each build a fresh commit whose payload changed, so
 * neither hits the cache; a warm-up round first pushes the shared base layers, so that neither
 * timed round pays for them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../source/config.js';
import { createCore } from '../source/core.js';
import { buildServices, defaultConcurrency, type BuildResult } from '../source/pipeline/build.js';

const root = path.resolve(import.meta.dirname, '..');
const SERVICES = ['callbot', 'chatbot', 'advisor', 'summarizer'];

function testEnv(): Record<string, string> | undefined {
  if (process.env.ECP_TEST_REGISTRY && process.env.DOCKER_HOST) {
    return {
      DOCKER_HOST: process.env.DOCKER_HOST,
      ECP_TEST_REGISTRY: process.env.ECP_TEST_REGISTRY,
      ECP_TEST_BASE_IMAGE: process.env.ECP_TEST_BASE_IMAGE ?? 'ecp-test/busybox:latest',
    };
  }
  const file = path.join(root, '.test-env');
  if (!existsSync(file)) return undefined;
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) values[m[1]!] = m[2]!;
  }
  return values.DOCKER_HOST && values.ECP_TEST_REGISTRY ? values : undefined;
}

const DOCKERFILE = `ARG BASE
FROM \${BASE}
WORKDIR /app
COPY payload/ ./payload/
# Real work: make data, compress it hard, checksum everything.
RUN set -e; \\
    cat payload/* payload/* payload/* payload/* payload/* payload/* > data.bin; \\
    gzip -9 -c data.bin > data.bin.gz; \\
    rm data.bin; \\
    sha256sum payload/* data.bin.gz > SHA256SUMS
CMD ["cat", "/app/SHA256SUMS"]
`;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.test', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.test' },
  }).trim();
}

/** New random payloads for every service, committed: the next build cannot reuse the RUN layer. */
function changePayload(repo: string, round: string): void {
  for (const name of SERVICES) {
    const dir = path.join(repo, 'services', name, 'payload');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 4; i += 1) writeFileSync(path.join(dir, `part-${i}.bin`), randomBytes(1024 * 1024));
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', `payload ${round}`);
}

async function timed(repo: string, env: Record<string, string>, concurrency: number): Promise<{ seconds: number; results: BuildResult[] }> {
  const config = loadConfig({ cwd: repo, env: { ...process.env, ...env } });
  const core = createCore(config);
  const started = performance.now();
  const results = await buildServices(core, config.services, { concurrency, env: { ...process.env, ...env } }, () => {});
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) throw new Error(`build failed: ${failed.map((f) => `${f.service}: ${f.error}`).join('; ')}`);
  return { seconds, results };
}

async function main(): Promise<void> {
  const env = testEnv();
  if (!env) {
    console.log('bench/build: SKIPPED — no Docker engine and registry (run it under scripts/test-env.sh, as root).');
    return;
  }
  Object.assign(process.env, { DOCKER_HOST: env.DOCKER_HOST });
  const repo = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-build-'));
  try {
    git(repo, 'init', '-q', '-b', 'main');
    const lines = [`registry: ${env.ECP_TEST_REGISTRY}`, 'imagePrefix: ecp-bench', 'services:'];
    for (const name of SERVICES) {
      mkdirSync(path.join(repo, 'services', name), { recursive: true });
      writeFileSync(path.join(repo, 'services', name, 'Dockerfile'), DOCKERFILE);
      lines.push(`  - name: ${name}`, `    context: services/${name}`, `    buildArgs: { BASE: "${env.ECP_TEST_BASE_IMAGE}" }`);
    }
    writeFileSync(path.join(repo, 'ecp.config.yaml'), `${lines.join('\n')}\n`);
    writeFileSync(path.join(repo, '.gitignore'), 'data/\n');

    const parallel = defaultConcurrency();
    console.log(`bench/build: ${SERVICES.length} services, ${os.cpus().length} CPUs, parallel = concurrency ${parallel}`);

    changePayload(repo, 'warm-up');
    const warm = await timed(repo, env, parallel);
    console.log(`  warm-up (base layers pushed, not counted)   ${warm.seconds.toFixed(2)} s`);

    const rows: { seq: number; par: number; cached: number }[] = [];
    for (let round = 1; round <= 2; round += 1) {
      changePayload(repo, `seq-${round}`);
      const seq = await timed(repo, env, 1);
      changePayload(repo, `par-${round}`);
      const par = await timed(repo, env, parallel);
      const cached = await timed(repo, env, parallel);
      if (cached.results.some((r) => r.outcome !== 'unchanged')) throw new Error('the cached run rebuilt something');
      if ([...seq.results, ...par.results].some((r) => r.outcome !== 'pushed')) throw new Error('a timed run did not push everything');
      rows.push({ seq: seq.seconds, par: par.seconds, cached: cached.seconds });
      console.log(
        `  round ${round}: sequential ${seq.seconds.toFixed(2)} s, parallel ${par.seconds.toFixed(2)} s (×${(par.seconds / seq.seconds).toFixed(2)}), ` +
          `no-change rebuild ${cached.seconds.toFixed(2)} s (×${(cached.seconds / par.seconds).toFixed(2)} of the first)`,
      );
    }
    const sum = (k: 'seq' | 'par' | 'cached') => rows.reduce((s, r) => s + r[k], 0);
    const parRatio = sum('par') / sum('seq');
    const cacheRatio = sum('cached') / sum('par');
    console.log(`  parallel / sequential: ${parRatio.toFixed(2)} (target ≤ 0.70) ${parRatio <= 0.7 ? 'met' : 'NOT MET'}`);
    console.log(`  cached / first build:  ${cacheRatio.toFixed(2)} (target ≤ 0.30) ${cacheRatio <= 0.3 ? 'met' : 'NOT MET'}`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

await main();
