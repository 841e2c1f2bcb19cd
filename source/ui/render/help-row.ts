/** The `?` help's rows: every key of every view in force, from the views' binding tables. */
import { keysText, type KeyView } from '../keymap.js';
import { allKeyViews, type KeyMode } from '../views.js';
import { matchesWords } from '../model/selectors.js';
import type { Cell, Column } from './columns.js';

export interface HelpRow {
  keys: string;
  what: string;
  where: string;
}

export const HELP_COLUMNS: readonly Column[] = [
  { id: 'keys', title: 'KEY', width: 16 },
  { id: 'what', title: 'ACTION', flex: 3, min: 20 },
  { id: 'where', title: 'WHERE', flex: 1, min: 8, drop: 1 },
];

/** Where a key applies: the panes it is limited to, or the view. */
function whereOf(view: KeyView, panes: readonly string[] | undefined): string {
  return panes ? panes.join(', ') : view.where;
}

const cache = new Map<string, HelpRow[]>();

/** One row per key and meaning; a key that means the same in several views (moving) lists them all. */
export function helpRows(mode: KeyMode): HelpRow[] {
  const id = `${mode.readOnly}/${mode.decisionsReadOnly}/${mode.cluster}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const rows: HelpRow[] = [];
  const byKey = new Map<string, HelpRow>();
  for (const view of allKeyViews(mode)) {
    for (const binding of view.bindings) {
      const keys = keysText(binding);
      const where = whereOf(view, binding.panes);
      const same = byKey.get(`${keys}\n${binding.help}`);
      if (same) {
        // A view with several tables (confirm, rollback 3) is named once.
        if (!same.where.split(', ').includes(where)) same.where = `${same.where}, ${where}`;
        continue;
      }
      const row = { keys, what: binding.help, where };
      byKey.set(`${keys}\n${binding.help}`, row);
      rows.push(row);
    }
  }
  cache.set(id, rows);
  return rows;
}

const filtered = new WeakMap<readonly HelpRow[], { filter: string; rows: readonly HelpRow[] }>();

/** The help's rows with every word of `filter` in the key, what it does or where. */
export function visibleHelpRows(mode: KeyMode, filter: string): readonly HelpRow[] {
  const rows = helpRows(mode);
  if (!filter) return rows;
  const hit = filtered.get(rows);
  if (hit?.filter === filter) return hit.rows;
  const shown = rows.filter((r) => matchesWords(`${r.keys} ${r.what} ${r.where}`, filter));
  filtered.set(rows, { filter, rows: shown });
  return shown;
}

export function helpCells(row: HelpRow): Cell[] {
  return [{ text: row.keys, tone: 'accent' }, { text: row.what }, { text: row.where, tone: 'muted' }];
}
