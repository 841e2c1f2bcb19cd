/** A line of the pipeline log: a job, one of its steps (spinner, ✓, ✗), or a line of output. */
import type { LogRow } from '../model/selectors.js';
import type { StepState } from '../model/state.js';
import type { Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';
import { shortAge } from './format.js';

export const LOG_COLUMNS: readonly Column[] = [{ id: 'line', title: 'LOG', flex: 1, min: 10 }];

const STEP_SYMBOL: Record<StepState, string> = { queued: '·', running: '', ok: '✓', failed: '✗', warn: '!', info: 'i', ended: '-' };
const STEP_TONE: Record<StepState, Tone> = { queued: 'muted', running: 'progress', ok: 'ok', failed: 'bad', warn: 'warn', info: 'normal', ended: 'muted' };

/** A job that ended: done, failed, or stopped waiting for something (an approval). */
const JOB_SYMBOL = { ok: '✓', failed: '✗', waiting: '!' } as const;
const JOB_TONE: Record<keyof typeof JOB_SYMBOL, Tone> = { ok: 'ok', failed: 'bad', waiting: 'warn' };

export function logCells(row: LogRow, now: number): Cell[] {
  switch (row.kind) {
    case 'job': {
      const { job } = row;
      const took = shortAge((job.finishedAt ?? now) - job.startedAt);
      const text = `${job.title} · ${took}${job.summary ? ` · ${job.summary}` : ''}`;
      if (job.state === 'running') return [{ text, tone: 'progress', spinner: true }];
      return [{ text: `${JOB_SYMBOL[job.state]} ${text}`, tone: JOB_TONE[job.state] }];
    }
    case 'step': {
      const { step } = row;
      if (step.state === 'running') return [{ text: step.title, tone: 'progress', spinner: true, indent: 2 }];
      return [{ text: `  ${STEP_SYMBOL[step.state]} ${step.title}`, tone: STEP_TONE[step.state] }];
    }
    case 'output':
      return [{ text: `    │ ${row.text}`, tone: 'muted' }];
  }
}
