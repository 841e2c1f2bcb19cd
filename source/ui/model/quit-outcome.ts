/**
 * What quitting while steps ran leaves behind, for the shell once the screen is given back: one
 * sentence per job that was running, and the exit code — 130 when a job was stopped or left
 * running (the operator interrupted it, as Ctrl-C on `ecp deploy` exits 130), else 1 when one
 * failed on its own meanwhile, else 0.
 */
import type { ConsoleState, Job } from './state.js';

export interface ConsoleExit {
  code: number;
  /** Printed on the normal screen after the console has left it. */
  lines: string[];
}

export const QUIT_CLEANLY: ConsoleExit = { code: 0, lines: [] };

function runningStep(job: Job): string {
  const step = job.steps.filter((s) => s.state === 'running' || s.state === 'queued').at(-1) ?? job.steps.at(-1);
  return step ? ` at "${step.title}"` : '';
}

/** The jobs of `ids` as they stand now (after the stop request: ended, or still running when the operator quit at once). */
export function quitOutcome(state: ConsoleState, ids: readonly number[]): ConsoleExit {
  const jobs = ids.flatMap((id) => state.jobs.filter((j) => j.id === id));
  const lines = jobs.map((job) => {
    if (job.state === 'running') return `ecp: "${job.title}" was still running${runningStep(job)} when the console quit; it was left as it was (ecp --once shows how things stand).`;
    const how = job.stopped ? 'stopped' : job.state === 'failed' ? 'failed' : 'ended';
    return `ecp: "${job.title}" ${how}${job.summary ? `: ${job.summary}` : '.'}`;
  });
  const interrupted = jobs.some((j) => j.state === 'running' || j.stopped);
  return { code: interrupted ? 130 : jobs.some((j) => j.state === 'failed') ? 1 : 0, lines };
}
