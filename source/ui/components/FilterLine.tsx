/** The line under a list: the `/` filter while it is typed or kept, else what the list says about its selection. */
import { Box, Text } from 'ink';
import React from 'react';
import type { Tone } from '../theme.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

export interface FilterLineProps {
  filter: string;
  filterEditing: boolean;
  width: number;
  /** Shown when no filter is typed or kept. */
  otherwise: { text: string; tone: Tone };
}

export function FilterLine({ filter, filterEditing, width, otherwise }: FilterLineProps) {
  return (
    <Box width={width} height={1}>
      {filterEditing || filter ? (
        <Text wrap="truncate-end">
          {'/'}
          <TextField value={filter} active={filterEditing} />
          <ToneText tone="muted">{filterEditing ? '  Enter keep · Esc clear' : '  Esc clear the filter'}</ToneText>
        </Text>
      ) : (
        <Text wrap="truncate-end">
          <ToneText tone={otherwise.tone}>{otherwise.text}</ToneText>
        </Text>
      )}
    </Box>
  );
}
