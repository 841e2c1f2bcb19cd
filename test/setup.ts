/** Runs around every test file (vitest.config.ts setupFiles). */
import { afterAll, expect } from 'vitest';
import { stopLeftoverTargets } from './helpers/cluster-target.js';

// Registered before the file's own hooks, so it runs after them: only what they left is stopped.
afterAll(async () => {
  const left = await stopLeftoverTargets();
  if (left.length) process.stderr.write(`\n!!! ${expect.getState().testPath ?? 'a test file'} left ${left.join(', ')} running; stopped now.\n`);
}, 180_000);
