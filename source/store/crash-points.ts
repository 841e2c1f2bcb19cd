/**
 * A test hook: the named points of a store write (docs/store.md lists them). With
 * `ECP_TEST_CRASH_AT=<point>[:kill|stop|enospc]` the process kills itself (SIGKILL), pauses itself
 * (SIGSTOP) or fails as on a full disk when it reaches that point, so tests can stop a writer at
 * each point deterministically. It first writes `ecp-test: <mode> at <point>` to stderr, which a
 * test waits for. Unset (always, outside tests), it costs one property read.
 */
import { writeSync } from 'node:fs';

export const CRASH_POINTS = ['lock-taken', 'store-temp-written', 'journal-written', 'audit-appended', 'head-written', 'store-renamed'] as const;
/** The team store's: a unit committed in the head, not yet rolled forward. */
export const TEAM_CRASH_POINTS = ['unit-committed'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number] | (typeof TEAM_CRASH_POINTS)[number];

let stopped = false;

export function reachPoint(point: CrashPoint): void {
  const wanted = process.env.ECP_TEST_CRASH_AT;
  if (wanted === undefined) return;
  const [name, mode = 'kill'] = wanted.split(':');
  if (name !== point || (mode === 'stop' && stopped)) return;
  // A writer resumed after a stop goes on past the point (a stop happens once per process).
  stopped ||= mode === 'stop';
  writeSync(2, `ecp-test: ${mode} at ${point}\n`);
  if (mode === 'enospc') {
    throw Object.assign(new Error(`ENOSPC: no space left on device, write (test hook at ${point})`), { code: 'ENOSPC', syscall: 'write' });
  }
  process.kill(process.pid, mode === 'stop' ? 'SIGSTOP' : 'SIGKILL');
}
