/** `:`: typing a command, Tab completing it, Enter running it, Esc going back. */
import { complete, parseCommand } from '../command-line.js';
import { named, textFieldKeys } from '../keymap.js';
import type { KeyTable } from '../views.js';

export const COMMAND_KEYS: KeyTable = {
  where: 'command line (:)',
  bindings: [
    ...textFieldKeys(
      'command',
      { get: (ctx) => ctx.state().command, set: (ctx, text) => ctx.dispatch({ type: 'command/set', text }) },
      { label: 'command', help: 'the command and its argument' },
      {
        label: 'run',
        help: 'run the command',
        run: (ctx, text) => {
          ctx.dispatch({ type: 'command/set', text: undefined });
          const parsed = parseCommand(text, ctx.state());
          if ('problem' in parsed) return ctx.say(parsed.problem, 'error');
          parsed.command.run(ctx, parsed.argument);
        },
      },
      { label: 'back', help: 'close the command line', run: (ctx) => ctx.dispatch({ type: 'command/set', text: undefined }) },
    ),
    {
      id: 'command:complete',
      keys: [named('tab', 'Tab')],
      label: 'complete',
      help: 'complete the command or its argument',
      footer: true,
      run: (ctx) => {
        const text = ctx.state().command;
        if (text !== undefined) ctx.dispatch({ type: 'command/set', text: complete(text, ctx.state()).text });
      },
    },
  ],
};
