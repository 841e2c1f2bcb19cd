/** `?`: every key of every view, from the binding tables. */
import { Box, Text } from 'ink';
import React from 'react';
import { HELP_COLUMNS, helpCells, type HelpRow } from '../render/help-row.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { ToneText } from './ToneText.js';

export interface HelpOverlayProps {
  rows: readonly HelpRow[];
  index: number;
  /** Read-only mode: it says why keys that change anything are missing. */
  readOnly: boolean;
  width: number;
  height: number;
}

export function HelpOverlay({ rows, index, readOnly, width, height }: HelpOverlayProps) {
  const visible = Math.max(1, height - 4);
  const selected = Math.min(index, rows.length - 1);
  return (
    <Pane title="Help · every key" note={`${selected + 1}/${rows.length} · ↑↓ scroll · Esc close`} focused width={width} height={height}>
      <Table columns={HELP_COLUMNS} rows={rows} render={helpCells} selected={selected} height={visible} width={width - 2} focused={false} />
      <Box height={1}>
        <Text wrap="truncate-end">
          <ToneText tone="muted">{readOnly ? 'Read-only: keys that change anything are hidden. ' : ''}Lower case acts on the selected service, upper case on the whole tenant.</ToneText>
        </Text>
      </Box>
    </Pane>
  );
}
