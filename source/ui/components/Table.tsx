/**
 * The one table of the console: fixed and flexible column widths, truncation with …, a
 * highlighted selection, and a scroll window — only the rows in view are rendered, so a
 * thousand rows cost what twenty do.
 */
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import React, { useRef } from 'react';
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
  return <ToneText tone={cell?.tone ?? tone}>{fit(text, column.size, column.align, column.truncate)}</ToneText>;
}

export function Table<T>({ columns, rows, render, rowTone, selected, height, width, focused, header = true, empty }: TableProps<T>) {
  const theme = useTheme();
  const offsetRef = useRef(0);
  const placed = placeColumns(columns, width);
  const indexOf = new Map(columns.map((c, i) => [c.id, i]));
  const offset = scrollWindow(offsetRef.current, Math.max(0, selected), height, rows.length);
  offsetRef.current = offset;
  const visible = rows.slice(offset, offset + height);

  const headerLine = ` ${placed.map((c) => fit(c.short && c.title.length > c.size ? c.short : c.title, c.size, c.align)).join(' '.repeat(GAP))}`;
  return (
    <Box flexDirection="column" width={width} height={height + (header ? 1 : 0)} overflow="hidden">
      {header && (theme.styled ? <Text bold dimColor wrap="truncate-end">{headerLine}</Text> : <Text wrap="truncate-end">{headerLine}</Text>)}
      {rows.length === 0 && empty ? <ToneText tone="muted">{` ${empty}`}</ToneText> : null}
      {visible.map((row, i) => {
        const index = offset + i;
        const isSelected = index === selected;
        const cells = render(row, index);
        const tone = rowTone?.(row);
        const content = placed.map((c, j) => (
          <React.Fragment key={c.id}>
            {j > 0 ? ' '.repeat(GAP) : ''}
            <CellText cell={cells[indexOf.get(c.id)!]} column={c} tone={tone} />
          </React.Fragment>
        ));
        const marker = isSelected ? theme.selectedMarker : ' ';
        return (
          <Text key={i} wrap="truncate-end" inverse={theme.styled && isSelected && focused}>
            {marker}
            {content}
          </Text>
        );
      })}
    </Box>
  );
}
