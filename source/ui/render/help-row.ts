/** A key binding as a row of the help overlay. */
import { keysText, type Binding } from '../keymap.js';
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

export function helpRowOf(binding: Binding): HelpRow {
  return { keys: keysText(binding), what: binding.help, where: binding.panes ? binding.panes.join(', ') : 'everywhere' };
}

export function helpCells(row: HelpRow): Cell[] {
  return [{ text: row.keys, tone: 'accent' }, { text: row.what }, { text: row.where, tone: 'muted' }];
}
