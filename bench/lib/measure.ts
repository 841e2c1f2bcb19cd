/** Timing helpers the benchmarks share: a timed child process with its peak RSS, and medians. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Timed {
  ms: number;
  /** Peak RSS in KB (GNU time's %M), NaN without /usr/bin/time. */
  rssKb: number;
  code: number | null;
  /** Wall-clock bounds, for matching the API server's request log. */
  startedAt: number;
  endedAt: number;
}

/** Runs a command asynchronously (a sandbox may serve it from this process) and times it. */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  // GNU time's %M is the child's peak RSS in KB (Debian package `time`).
  const gnuTime = existsSync('/usr/bin/time');
  const startedAt = Date.now();
  const t = performance.now();
  const child = gnuTime ? spawn('/usr/bin/time', ['-f', '%M', command, ...args], { env }) : spawn(command, args, { env });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ ms: performance.now() - t, rssKb: gnuTime ? Number(stderr.trim().split('\n').at(-1)) : NaN, code, startedAt, endedAt: Date.now() })),
  );
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
