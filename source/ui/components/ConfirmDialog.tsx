/**
 * Asks before an action: y / Enter, or — in a protected namespace — the tenant id typed exactly
 * (Shopify's DangerousConfirmationPrompt). Esc cancels.
 */
import { Box, Text } from 'ink';
import React from 'react';
import type { ConfirmDialog as Dialog } from '../model/state.js';
import { Pane } from './Pane.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

export function TypedConfirmation({ word, typed }: { word: string; typed: string }) {
  const matches = typed === word;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {'Type '}
        <ToneText tone="warn" bold>
          {word}
        </ToneText>
        {' to confirm, Esc to cancel:'}
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
      <Box marginTop={1}>
        {dialog.word !== undefined ? (
          <TypedConfirmation word={dialog.word} typed={dialog.typed} />
        ) : (
          <Text>
            {'Press '}
            <ToneText tone="accent" bold>
              y
            </ToneText>
            {' or Enter to go ahead, '}
            <ToneText tone="accent" bold>
              n
            </ToneText>
            {' or Esc to cancel.'}
          </Text>
        )}
      </Box>
    </Pane>
  );
}
