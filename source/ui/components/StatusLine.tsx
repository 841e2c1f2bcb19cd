/** The last thing that happened (started, finished, refused), or a hint. */
import { Text } from 'ink';
import React from 'react';
import type { StatusMessage } from '../model/state.js';
import { textWidth, truncate } from '../text.js';
import { ToneText } from './ToneText.js';

/** Where the whole of a message about a job is read, when the line cannot hold it. */
export const DETAILS_HINT = ' · l for details';

/** The message as it fits; one about a job that does not fit says where the rest is instead of only cutting. */
function fitted(message: StatusMessage | undefined, hint: string, width: number): string {
  const text = message?.text ?? hint;
  if (textWidth(text) <= width || message?.jobId === undefined) return truncate(text, width);
  return `${truncate(text, Math.max(1, width - textWidth(DETAILS_HINT)))}${DETAILS_HINT}`;
}

export function StatusLine({ message, width, hint }: { message?: StatusMessage; width: number; hint: string }) {
  const tone = message?.tone === 'error' ? 'bad' : message?.tone === 'ok' ? 'ok' : message ? 'normal' : 'muted';
  return (
    <Text wrap="truncate-end">
      <ToneText tone={tone}>{fitted(message, hint, width)}</ToneText>
    </Text>
  );
}
