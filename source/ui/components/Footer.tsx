/** The keys that apply where the focus is (or in the open dialog), from the keymap. */
import { Text } from 'ink';
import React from 'react';
import { useApprovalBindings, useBindings, useTheme } from '../context.js';
import { DIALOG_KEYS, footerBindings, keysText, type DialogKeys } from '../keymap.js';
import type { Pane } from '../model/state.js';

/** A dialog's keys, or the approvals view's (from its bindings: approve and reject only where they apply). */
export type FooterKeys = DialogKeys | 'approvals';

export interface FooterProps {
  pane: Pane;
  /** Keys of a dialog or overlay instead of the pane's. */
  dialog?: FooterKeys;
}

export function Footer({ pane, dialog }: FooterProps) {
  const bindings = useBindings();
  const approvalBindings = useApprovalBindings();
  const theme = useTheme();
  const pairs: readonly (readonly [string, string])[] =
    dialog === 'approvals'
      ? [['↑↓', 'choose'], ...approvalBindings.filter((b) => b.footer).map((b) => [keysText(b), b.label] as const)]
      : dialog
        ? DIALOG_KEYS[dialog]
        : footerBindings(bindings, pane).map((b) => [b.keys[0]!.display, b.label] as const);
  return (
    <Text wrap="truncate-end">
      {pairs.map(([keys, label], i) => (
        <React.Fragment key={`${keys}-${label}`}>
          {i > 0 ? '  ' : ''}
          {theme.styled ? <Text color={theme.colors.accent} bold>{keys}</Text> : `<${keys}>`} {label}
        </React.Fragment>
      ))}
    </Text>
  );
}
