/** Enter on a service: its details; the keys go back. */
import { char, named } from '../keymap.js';
import type { KeyTable } from '../views.js';

export const DETAILS_KEYS: KeyTable = {
  where: 'details',
  bindings: [{ id: 'details:close', keys: [named('escape', 'Esc'), char('q'), named('return', 'Enter')], label: 'back', help: 'back to the panes', footer: true, run: (ctx) => ctx.close() }],
};
