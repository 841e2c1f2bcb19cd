/** Table columns: fixed or flexible widths, and which to drop first when the pane is narrow. */
import type { Tone } from '../theme.js';
import type { TruncateAt } from '../text.js';

export interface Column {
  id: string;
  title: string;
  /** Title used when the column is narrower than `title`. */
  short?: string;
  /** Fixed width. */
  width?: number;
  /** Share of the width left after fixed columns (default 1 when width is not given). */
  flex?: number;
  /** Least width of a flexible column. */
  min?: number;
  align?: 'left' | 'right';
  truncate?: TruncateAt;
  /** Dropped when the pane is too narrow: higher goes first; undefined is never dropped. */
  drop?: number;
}

export interface Cell {
  text: string;
  tone?: Tone;
  /** A spinner before the text (a running step). */
  spinner?: boolean;
  /** Spaces before the spinner. */
  indent?: number;
  /** A mark before the text, outside its truncation (the fleet's selected cell: `▸`, else a space). */
  mark?: string;
}

export interface PlacedColumn extends Column {
  size: number;
}

/** One column for the selection marker, one space between columns. */
export const GUTTER = 1;
export const GAP = 1;

const least = (c: Column) => c.width ?? c.min ?? Math.max(3, c.title.length);

/** Widths for `available` columns of text; the columns that do not fit are left out. */
export function placeColumns(columns: readonly Column[], available: number): PlacedColumn[] {
  let kept = [...columns];
  const need = (cols: Column[]) => GUTTER + cols.reduce((sum, c) => sum + least(c), 0) + GAP * Math.max(0, cols.length - 1);
  while (need(kept) > available) {
    const droppable = kept.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const first = droppable.reduce((a, b) => (b.drop! >= a.drop! ? b : a));
    kept = kept.filter((c) => c !== first);
  }
  const spare = Math.max(0, available - need(kept));
  const flexible = kept.filter((c) => c.width === undefined);
  const shares = flexible.reduce((sum, c) => sum + (c.flex ?? 1), 0);
  let given = 0;
  const placed = kept.map((c) => {
    if (c.width !== undefined) return { ...c, size: c.width };
    const extra = shares ? Math.floor((spare * (c.flex ?? 1)) / shares) : 0;
    given += extra;
    return { ...c, size: least(c) + extra };
  });
  // What rounding left over goes to the first flexible column (a name), so that columns of one
  // kind and share (MANIFEST TAG and LIVE TAG) stay as wide as each other and cut a tag alike.
  const first = placed.find((c) => c.width === undefined);
  if (first) first.size += spare - given;
  // Still too wide (nothing left to drop): shrink the widest columns.
  let over = GUTTER + placed.reduce((sum, c) => sum + c.size, 0) + GAP * Math.max(0, placed.length - 1) - available;
  while (over > 0) {
    const widest = placed.reduce((a, b) => (b.size > a.size ? b : a));
    if (widest.size <= 1) break;
    widest.size -= 1;
    over -= 1;
  }
  return placed;
}

/** The first row of the window that keeps `selected` in view, moving as little as possible. */
export function scrollWindow(previous: number, selected: number, height: number, total: number): number {
  if (total <= height) return 0;
  let offset = Math.min(previous, total - height);
  if (selected < offset) offset = selected;
  if (selected >= offset + height) offset = selected - height + 1;
  return Math.max(0, offset);
}
