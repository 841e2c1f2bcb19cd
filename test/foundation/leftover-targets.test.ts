/**
 * A worker runs many test files in one process (vitest.config.ts): a target a file leaves running
 * — a test that failed before it registered its stop — is stopped as the file ends
 * (test/setup.ts), and on the real control plane as its block ends, before the block gives the
 * lock back, so the lock is never held past the block that took it.
 */
import lockfile from 'proper-lockfile';
import { expect, it } from 'vitest';
import { describeTargets, realTargetLockFile, startTarget, stopLeftoverTargets } from '../helpers/cluster-target.js';

describeTargets('a target a test file leaves running', (kind) => {
  it('is stopped by stopLeftoverTargets, its API gone; a real-target block holds the lock throughout', async () => {
    const target = await startTarget(kind);
    expect((await target.kubectl(['get', 'namespaces'])).code).toBe(0);
    await stopLeftoverTargets();
    expect((await target.kubectl(['get', 'namespaces', '--request-timeout=5s'])).code).not.toBe(0);
    if (kind === 'real') expect(await lockfile.check(realTargetLockFile(), { stale: 20_000 })).toBe(true);
  });
});
