/** q while a step runs: quit anyway, or stay. */
import { char, ctrl, named } from '../keymap.js';
import type { KeyTable } from '../views.js';

export const QUIT_KEYS: KeyTable = {
  where: 'quit?',
  bindings: [
    { id: 'quit:yes', keys: [char('y'), char('q'), ctrl('c')], label: 'quit', help: 'quit anyway: the running steps stop where they are', footer: true, run: (ctx) => ctx.exit() },
    { id: 'quit:no', keys: [char('n'), named('escape', 'Esc')], label: 'stay', help: 'stay', footer: true, run: (ctx) => ctx.close() },
  ],
};
