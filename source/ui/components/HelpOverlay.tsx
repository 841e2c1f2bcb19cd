/** `?`: every key of every view, from the binding tables; `/` filters them. */
import React from 'react';
import { HELP_COLUMNS, helpCells, type HelpRow } from '../render/help-row.js';
import { FilterLine } from './FilterLine.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';

export interface HelpOverlayProps {
  /** The rows the filter leaves. */
  rows: readonly HelpRow[];
  index: number;
  /** Read-only mode: it says why keys that change anything are missing. */
  readOnly: boolean;
  filter?: string;
  filterEditing?: boolean;
  width: number;
  height: number;
}

export function HelpOverlay({ rows, index, readOnly, filter = '', filterEditing = false, width, height }: HelpOverlayProps) {
  const visible = Math.max(1, height - 4);
  const selected = Math.min(index, rows.length - 1);
  const position = rows.length ? `${selected + 1}/${rows.length}` : '0/0';
  return (
    <Pane title="Help · every key" note={`${position} · ↑↓ scroll · / filter · Esc close`} focused width={width} height={height}>
      <Table columns={HELP_COLUMNS} rows={rows} render={helpCells} selected={selected} height={visible} width={width - 2} focused={false} empty={`no key matches "${filter}"`} />
      <FilterLine
        filter={filter}
        filterEditing={filterEditing}
        width={width - 2}
        otherwise={{ text: `${readOnly ? 'Read-only: keys that change anything are hidden. ' : ''}Lower case acts on the selected service, upper case on the whole tenant.`, tone: 'muted' }}
      />
    </Pane>
  );
}
