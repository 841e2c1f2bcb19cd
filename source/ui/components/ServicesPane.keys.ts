/** `/`: typing the filter of a list — a pane's (↑↓ still move in it), the help's or the approvals'. */
import { char, named, textFieldKeys, type Binding } from '../keymap.js';
import { filterOf } from '../model/selectors.js';
import type { OverlayList } from '../model/state.js';
import type { KeyTable } from '../views.js';

const typing = textFieldKeys(
  'filter',
  { get: (ctx) => ctx.state().filter, set: (ctx, text) => ctx.dispatch({ type: 'filter/set', text }) },
  { label: 'words to match', help: 'words every row shown must contain' },
  { label: 'keep', help: 'keep the filter', run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: true }) },
  { label: 'clear', help: 'clear the filter', run: (ctx) => ctx.dispatch({ type: 'filter/close', keep: false }) },
);

export const FILTER_KEYS: KeyTable = {
  where: 'filter (/)',
  bindings: [
    ...typing,
    { id: 'filter:up', keys: [named('upArrow', '↑')], label: 'up', help: 'move up in the filtered pane', run: (ctx) => ctx.dispatch({ type: 'move', delta: -1 }) },
    { id: 'filter:down', keys: [named('downArrow', '↓')], label: 'down', help: 'move down in the filtered pane', run: (ctx) => ctx.dispatch({ type: 'move', delta: 1 }) },
  ],
};

/** The filter of a list over the panes (help, approvals, why): Enter keeps it, then ↑↓ move in the list. */
export const OVERLAY_FILTER_KEYS: KeyTable = { where: 'filter (/) over the panes', bindings: typing };

/** `/` in a list shown over the panes (help, approvals, why); Esc there clears a kept filter before it closes. */
export function filterListKey(help: string): Binding {
  return { id: 'filter', keys: [char('/')], label: 'filter', help, footer: true, run: (ctx) => ctx.dispatch({ type: 'filter/open' }) };
}

/** Esc in a filtered overlay's list: clears its filter; else `otherwise` (closing the overlay). */
export function clearFilterOr(list: OverlayList, otherwise: Binding['run']): Binding['run'] {
  return (ctx, press) => (filterOf(ctx.state(), list) ? ctx.dispatch({ type: 'filter/close', keep: false }) : otherwise(ctx, press));
}
