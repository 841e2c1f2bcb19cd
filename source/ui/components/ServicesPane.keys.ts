/** `/`: typing the filter of the services pane. */
import { erase, named, typing } from '../keymap.js';
import { oneLine } from '../text.js';
import type { KeyTable } from '../views.js';

/** A text field's Backspace: the text without its last character. */
export const withoutLast = (text: string) => [...text].slice(0, -1).join('');

export const FILTER_KEYS: KeyTable = {
  where: 'filter (/)',
  bindings: [
    { id: 'filter:type', keys: [typing('type')], label: 'words to match', help: 'words the name, a tag or a state must contain', footer: true, run: (ctx, press) => ctx.dispatch({ type: 'filter/set', text: ctx.state().filter + oneLine(press.input) }) },
    { id: 'filter:erase', keys: [erase], label: 'delete', help: 'delete the last character', run: (ctx) => ctx.dispatch({ type: 'filter/set', text: withoutLast(ctx.state().filter) }) },
    { id: 'filter:up', keys: [named('upArrow', '↑')], label: 'up', help: 'move up in the services', run: (ctx) => ctx.dispatch({ type: 'move', delta: -1 }) },
    { id: 'filter:down', keys: [named('downArrow', '↓')], label: 'down', help: 'move down in the services', run: (ctx) => ctx.dispatch({ type: 'move', delta: 1 }) },
    { id: 'filter:keep', keys: [named('return', 'Enter')], label: 'keep', help: 'keep the filter', footer: true, run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: true }) },
    { id: 'filter:clear', keys: [named('escape', 'Esc')], label: 'clear', help: 'clear the filter', footer: true, run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: false }) },
  ],
};
