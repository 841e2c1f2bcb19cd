/** Pipeline progress as plain lines on stderr, so stdout stays parseable. */
import type { PipelineEvent } from '../pipeline/events.js';
import type { CommandContext } from './command.js';

export function progressPrinter(ctx: Pick<CommandContext, 'io'>): (event: PipelineEvent) => void {
  return (event) => {
    const who = event.service ? `${event.service}: ` : '';
    const mark = event.status === 'warn' ? '! ' : event.status === 'done' ? '✓ ' : '';
    const text = event.message.startsWith(`${event.service}: `) ? event.message : `${who}${event.message}`;
    ctx.io.stderr.write(`[${event.step}] ${mark}${text}\n`);
  };
}
