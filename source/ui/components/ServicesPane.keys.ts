/** `/`: typing the filter of the services pane. */
import { named, textFieldKeys } from '../keymap.js';
import type { KeyTable } from '../views.js';

export const FILTER_KEYS: KeyTable = {
  where: 'filter (/)',
  bindings: [
    ...textFieldKeys(
      'filter',
      { get: (ctx) => ctx.state().filter, set: (ctx, text) => ctx.dispatch({ type: 'filter/set', text }) },
      { label: 'words to match', help: 'words the name, a tag or a state must contain' },
      { label: 'keep', help: 'keep the filter', run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: true }) },
      { label: 'clear', help: 'clear the filter', run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: false }) },
    ),
    { id: 'filter:up', keys: [named('upArrow', '↑')], label: 'up', help: 'move up in the services', run: (ctx) => ctx.dispatch({ type: 'move', delta: -1 }) },
    { id: 'filter:down', keys: [named('downArrow', '↓')], label: 'down', help: 'move down in the services', run: (ctx) => ctx.dispatch({ type: 'move', delta: 1 }) },
  ],
};
