/** Enter on a log step: scrolling its output, going back. */
import { char, movementKeys, named, withOverlay } from '../keymap.js';
import type { KeyTable } from '../views.js';
import { outputLines, outputWindow } from './LogDetails.js';

export const LOG_DETAILS_KEYS: KeyTable = {
  where: 'output',
  bindings: [
    ...movementKeys(
      'scroll',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 4),
      (ctx, to) =>
        withOverlay(ctx, 'log-details', (o) => {
          const job = ctx.state().jobs.find((j) => j.id === o.jobId);
          const step = job?.steps.find((s) => s.key === o.stepKey);
          if (!job || !step) return;
          const { width, bodyHeight } = ctx.layout();
          const { maxBack } = outputWindow(outputLines(job, step), width, bodyHeight, 0);
          // Up goes back to earlier lines; the bottom is the newest line.
          const back = to === 'top' ? maxBack : to === 'bottom' ? 0 : Math.max(0, Math.min(maxBack, o.back - to));
          ctx.update(o, { back });
        }),
      { footer: true },
    ),
    { id: 'output:close', keys: [named('escape', 'Esc'), char('q')], label: 'back', help: 'back to the panes', footer: true, run: (ctx) => ctx.close() },
  ],
};
