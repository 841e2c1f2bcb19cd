/** q while a step runs: quit anyway (the steps stop at their next safe point), or stay; while they stop, quit at once. */
import { char, ctrl, named } from '../keymap.js';
import type { KeyTable } from '../views.js';

export const QUIT_KEYS: KeyTable = {
  where: 'quit?',
  bindings: [
    {
      id: 'quit:yes',
      keys: [char('y'), char('q'), ctrl('c')],
      label: 'quit',
      help: 'quit anyway: the running steps stop at their next safe point, then the console ends',
      footer: true,
      run: (ctx) => ctx.quitAnyway(),
    },
    { id: 'quit:no', keys: [char('n'), named('escape', 'Esc')], label: 'stay', help: 'stay', footer: true, run: (ctx) => ctx.close() },
  ],
};

export const STOPPING_KEYS: KeyTable = {
  where: 'quitting',
  bindings: [
    {
      id: 'quit:now',
      keys: [ctrl('c'), char('q')],
      label: 'quit now',
      help: 'quit at once: the steps still running are left where they are',
      footer: true,
      run: (ctx) => ctx.quitAnyway(),
    },
  ],
};
