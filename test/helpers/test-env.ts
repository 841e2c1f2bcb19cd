/**
 * The real services of scripts/test-env.sh (Docker engine, registry), as the tests find them:
 * from the environment (`scripts/test-env.sh npm test`) or from the .test-env file that
 * `scripts/test-env.sh --start` writes. Tests that need one skip loudly without it, and fail
 * under CI=true, since CI must run them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { repoRoot } from './run-ecp.js';

/** DOCKER_HOST, ECP_TEST_REGISTRY and ECP_TEST_BASE_IMAGE: the environment's, else .test-env's. */
export function testEnvValues(): Record<string, string | undefined> {
  if (process.env.ECP_TEST_REGISTRY) return process.env;
  const file = path.join(repoRoot, '.test-env');
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) values[m[1]!] = m[2]!;
  }
  return values;
}

const START_TEST_ENV = 'Run `scripts/test-env.sh --start` first (as root), or the tests under `scripts/test-env.sh npm test`.';

/** `describe` run with `found`, or skipped loudly (failed under CI=true) with `reason` and how to `fix` it. */
export function describeWith<T>(name: string, what: string, found: T | undefined, reason: string, body: (found: T) => void, fix = START_TEST_ENV): void {
  if (found !== undefined) {
    describe(name, () => body(found));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`has the ${what} that CI must provide`, () => {
        throw new Error(`CI=true but there is no ${what} for the tests: ${reason}.`);
      });
    });
    return;
  }
  process.stderr.write(`\n!!! ${what.toUpperCase()} TESTS SKIPPED (${name}): ${reason}.\n!!! ${fix}\n\n`);
  describe.skip(name, () => body(undefined as T));
}
