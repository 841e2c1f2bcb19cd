/** The `:` command line, in the status line's place: what is typed, and (muted) what Tab would add or could choose. */
import { Text } from 'ink';
import React from 'react';
import type { Completion } from '../command-line.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

export function CommandLine({ text, completion }: { text: string; completion: Completion }) {
  const ghost = completion.text.startsWith(text) ? completion.text.slice(text.length) : '';
  const choices = completion.candidates.length > 1 ? `  ${completion.candidates.join(' ')}` : '';
  return (
    <Text wrap="truncate-end">
      {':'}
      <TextField value={text} active />
      <ToneText tone="muted">{`${ghost}${choices}`}</ToneText>
    </Text>
  );
}
