/**
 * Ctrl-C while `ecp deploy` or `ecp rollback` runs (issue 15, item 9): the first asks the
 * pipeline to stop at its next safe point — before anything is applied it puts the manifests
 * back; while it waits for a rollout it stops waiting, leaving the change applied, committed and
 * its record open for the monitor — and the command exits 130. A second Ctrl-C ends the process
 * at once, as SIGINT does by default.
 */
import type { CommandContext } from './command.js';

export function interruptOnCtrlC(ctx: Pick<CommandContext, 'io'>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    ctx.io.stderr.write('ecp: stopping at the next safe point (Ctrl-C again to quit at once, leaving things as they are)\n');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}
