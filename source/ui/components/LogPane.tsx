/** The pipeline log: jobs, newest first, their steps (spinner, ✓, ✗) and the last lines of output. */
import React, { memo } from 'react';
import { useNow } from '../hooks/use-now.js';
import type { LogRow } from '../model/selectors.js';
import { LOG_COLUMNS, logCells } from '../render/log-row.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';

export interface LogPaneProps {
  rows: readonly LogRow[];
  running: number;
  selected: number;
  focused: boolean;
  width: number;
  height: number;
  visible: number;
  /** The `/` filter, when it filters this pane. */
  filter?: string;
}

export const LogPane = memo(function LogPane({ rows, running, selected, focused, width, height, visible, filter }: LogPaneProps) {
  // Running jobs show how long they have taken; the clock only ticks while one runs.
  const now = useNow(running ? 1000 : 3_600_000);
  return (
    <Pane title="Pipeline log" note={[filter, running ? `${running} running` : ''].filter(Boolean).join(' ')} focused={focused} width={width} height={height}>
      <Table
        columns={LOG_COLUMNS}
        rows={rows}
        render={(row) => logCells(row, now)}
        selected={focused ? selected : -1}
        height={visible}
        width={width - 2}
        focused={focused}
        header={false}
        empty={filter ? 'none matches' : 'nothing has run yet'}
      />
    </Pane>
  );
});
