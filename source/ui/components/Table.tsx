/**
 * The one table of the console: fixed and flexible column widths, truncation with …, a
 * highlighted selection, and a scroll window — only the rows in view are rendered, so a
 * thousand rows cost what twenty do.
 */
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import React, { memo, useMemo, useRef } from 'react';
import { useTheme } from '../context.js';
import { GAP, placeColumns, scrollWindow, type Cell, type Column, type PlacedColumn } from '../render/columns.js';
import { fit } from '../text.js';
import type { Tone } from '../theme.js';
import { ToneText } from './ToneText.js';

export interface TableProps<T> {
  columns: readonly Column[];
  rows: readonly T[];
  /** The cells of one row, in the order of `columns`. Called for visible rows only. */
  render: (row: T, index: number) => Cell[];
  /** Colour of the whole row (k9s's ColorerFunc); cells may override. */
  rowTone?: (row: T) => Tone | undefined;
  /** Index of the selected row; -1 for none. */
  selected: number;
  /** Rows of data shown (the header line is extra). */
  height: number;
  width: number;
  focused: boolean;
  header?: boolean;
  empty?: string;
}

function CellText({ cell, column, tone }: { cell: Cell | undefined; column: PlacedColumn; tone: Tone | undefined }) {
  const text = cell?.text ?? '';
  if (cell?.spinner) {
    const indent = ' '.repeat(cell.indent ?? 0);
    return (
      <ToneText tone={cell.tone ?? tone}>
        {indent}
        <Spinner type="dots" /> {fit(text, Math.max(0, column.size - 2 - indent.length), column.align, column.truncate)}
      </ToneText>
    );
  }
  const mark = cell?.mark ?? '';
  return (
    <ToneText tone={cell?.tone ?? tone}>
      {mark}
      {fit(text, Math.max(0, column.size - mark.length), column.align, column.truncate)}
    </ToneText>
  );
}

interface RowProps {
  cells: Cell[];
  placed: readonly PlacedColumn[];
  /** Index in `cells` of each placed column. */
  cellIndex: readonly number[];
  tone: Tone | undefined;
  marker: string;
  inverse: boolean;
}

const sameCells = (a: Cell[], b: Cell[]) =>
  a.length === b.length && a.every((c, i) => c.text === b[i]!.text && c.tone === b[i]!.tone && c.spinner === b[i]!.spinner && c.indent === b[i]!.indent && c.mark === b[i]!.mark);

/** One row; re-rendered only when what it shows changed (moving the selection touches two rows). */
const Row = memo(
  function Row({ cells, placed, cellIndex, tone, marker, inverse }: RowProps) {
    return (
      <Text wrap="truncate-end" inverse={inverse}>
        {marker}
        {placed.map((c, j) => (
          <React.Fragment key={c.id}>
            {j > 0 ? ' '.repeat(GAP) : ''}
            <CellText cell={cells[cellIndex[j]!]} column={c} tone={tone} />
          </React.Fragment>
        ))}
      </Text>
    );
  },
  (a, b) => a.placed === b.placed && a.cellIndex === b.cellIndex && a.tone === b.tone && a.marker === b.marker && a.inverse === b.inverse && sameCells(a.cells, b.cells),
);

export function Table<T>({ columns, rows, render, rowTone, selected, height, width, focused, header = true, empty }: TableProps<T>) {
  const theme = useTheme();
  const offsetRef = useRef(0);
  const placed = useMemo(() => placeColumns(columns, width), [columns, width]);
  const cellIndex = useMemo(() => {
    const indexOf = new Map(columns.map((c, i) => [c.id, i]));
    return placed.map((c) => indexOf.get(c.id)!);
  }, [columns, placed]);
  const offset = scrollWindow(offsetRef.current, Math.max(0, selected), height, rows.length);
  offsetRef.current = offset;
  const visible = rows.slice(offset, offset + height);

  const headerLine = ` ${placed.map((c) => fit(c.short && c.title.length > c.size ? c.short : c.title, c.size, c.align)).join(' '.repeat(GAP))}`;
  return (
    <Box flexDirection="column" width={width} height={height + (header ? 1 : 0)} overflowY="hidden">
      {header &&
        (theme.styled ? (
          <Text bold dimColor wrap="truncate-end">
            {headerLine}
          </Text>
        ) : (
          <Text wrap="truncate-end">{headerLine}</Text>
        ))}
      {rows.length === 0 && empty ? <ToneText tone="muted">{` ${empty}`}</ToneText> : null}
      {visible.map((row, i) => {
        const index = offset + i;
        const isSelected = index === selected;
        return (
          <Row
            key={i}
            cells={render(row, index)}
            placed={placed}
            cellIndex={cellIndex}
            tone={rowTone?.(row)}
            marker={isSelected ? theme.selectedMarker : ' '}
            inverse={theme.styled && isSelected && focused}
          />
        );
      })}
    </Box>
  );
}
