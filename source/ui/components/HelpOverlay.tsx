/** `?`: every key, from the keymap, and the keys inside dialogs. */
import { Box, Text } from 'ink';
import React from 'react';
import { useApprovalBindings, useBindings, useInfo } from '../context.js';
import { DIALOG_KEYS, keysText } from '../keymap.js';
import { HELP_COLUMNS, helpCells, helpRowOf, type HelpRow } from '../render/help-row.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { ToneText } from './ToneText.js';

const DIALOG_ROWS: HelpRow[] = [
  { keys: 'Enter', what: 'dialogs: next step / confirm', where: 'dialogs' },
  { keys: 'Esc', what: 'dialogs: back one step / cancel', where: 'dialogs' },
  { keys: 'y / n', what: 'confirm / cancel a question', where: 'dialogs' },
  { keys: DIALOG_KEYS.typed[0][0], what: 'protected namespace: type the tenant id to confirm', where: 'dialogs' },
];

export function HelpOverlay({ width, height, index }: { width: number; height: number; index: number }) {
  const bindings = useBindings();
  const approvalRows = useApprovalBindings()
    .filter((b) => b.footer)
    .map((b): HelpRow => ({ keys: keysText(b), what: b.help, where: 'approvals (a)' }));
  const info = useInfo();
  const rows = [...bindings.map(helpRowOf), ...approvalRows, ...DIALOG_ROWS];
  const visible = Math.max(1, height - 4);
  return (
    <Pane title="Help · every key" note={`${Math.min(index, rows.length - 1) + 1}/${rows.length} · ↑↓ scroll · Esc close`} focused width={width} height={height}>
      <Table columns={HELP_COLUMNS} rows={rows} render={helpCells} selected={Math.min(index, rows.length - 1)} height={visible} width={width - 2} focused={false} />
      <Box height={1}>
        <Text wrap="truncate-end">
          <ToneText tone="muted">
            {info.readOnly ? 'Read-only: keys that change anything are hidden. ' : ''}Lower case acts on the selected service, upper case on the whole tenant.
          </ToneText>
        </Text>
      </Box>
    </Pane>
  );
}
