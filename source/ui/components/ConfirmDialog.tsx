/**
 * Asks before an action: y / Enter, or — in a protected namespace — the tenant id typed exactly
 * (Shopify's DangerousConfirmationPrompt). Esc cancels.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { bindingOf, keyWords, type Binding } from '../keymap.js';
import type { ConfirmDialog as Dialog } from '../model/state.js';
import { CONFIRM_KEYS, CONFIRM_TYPED_KEYS } from './ConfirmDialog.keys.js';
import { ChangePreview } from './ChangePreview.js';
import { Pane } from './Pane.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

/** `cancel`: the binding of Esc in the dialog (it cancels, or goes back a step). */
export function TypedConfirmation({ word, typed, cancel }: { word: string; typed: string; cancel: Binding }) {
  const matches = typed === word;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {'Type '}
        <ToneText tone="warn" bold>
          {word}
        </ToneText>
        {` to confirm, ${keyWords(cancel)} to ${cancel.help}:`}
      </Text>
      <Text wrap="truncate-end">
        {'> '}
        <TextField value={typed} active />
        {'  '}
        {typed ? <ToneText tone={matches ? 'ok' : 'bad'}>{matches ? '✓' : '✗'}</ToneText> : null}
      </Text>
    </Box>
  );
}

export function ConfirmDialog({ dialog, width, height }: { dialog: Dialog; width: number; height: number }) {
  return (
    <Pane title="Confirm" focused width={width} height={height}>
      <Text wrap="truncate-end" bold>{`${dialog.title}?`}</Text>
      {dialog.lines.map((line, i) => (
        <ToneText key={i} tone="warn">
          {line}
        </ToneText>
      ))}
      <ChangePreview preview={dialog.preview} rows={Math.max(1, height - 10 - dialog.lines.length)} fullKey="Tab" />
      <Box marginTop={1}>
        {dialog.word !== undefined ? (
          <TypedConfirmation word={dialog.word} typed={dialog.typed} cancel={bindingOf(CONFIRM_TYPED_KEYS, 'confirm:cancel')} />
        ) : (
          <Text>
            {'Press '}
            <ToneText tone="accent" bold>
              {keyWords(bindingOf(CONFIRM_KEYS, 'confirm:yes'))}
            </ToneText>
            {' to go ahead, '}
            <ToneText tone="accent" bold>
              {keyWords(bindingOf(CONFIRM_KEYS, 'confirm:no'))}
            </ToneText>
            {' to cancel.'}
          </Text>
        )}
      </Box>
    </Pane>
  );
}
