/** The last thing that happened (started, finished, refused), or a hint. */
import { Text } from 'ink';
import React from 'react';
import type { StatusMessage } from '../model/state.js';
import { ToneText } from './ToneText.js';

export function StatusLine({ message, width, hint }: { message?: StatusMessage; width: number; hint: string }) {
  const tone = message?.tone === 'error' ? 'bad' : message?.tone === 'ok' ? 'ok' : message ? 'normal' : 'muted';
  return (
    <Text wrap="truncate-end">
      <ToneText tone={tone}>{(message?.text ?? hint).slice(0, Math.max(0, width * 2))}</ToneText>
    </Text>
  );
}
