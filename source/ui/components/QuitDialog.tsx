/** q while a step runs: quitting stops it, so ask. */
import { Box, Text } from 'ink';
import React from 'react';
import { bindingOf, keyWords } from '../keymap.js';
import type { Job } from '../model/state.js';
import { Pane } from './Pane.js';
import { QUIT_KEYS } from './QuitDialog.keys.js';
import { ToneText } from './ToneText.js';

export function QuitDialog({ running, width, height }: { running: readonly Job[]; width: number; height: number }) {
  return (
    <Pane title="Quit?" focused width={width} height={height}>
      <ToneText tone="warn" bold>
        {running.length === 0 ? 'Nothing is running any more.' : `${running.length === 1 ? 'A step is' : `${running.length} steps are`} still running:`}
      </ToneText>
      {running.map((j) => (
        <Text key={j.id} wrap="truncate-end">{`  ${j.title}`}</Text>
      ))}
      <Box marginTop={1}>
        <Text>{`${running.length === 0 ? 'Quit?' : 'Quitting stops them where they are. Quit anyway?'} ${keyWords(bindingOf(QUIT_KEYS, 'quit:yes'))} quits, ${keyWords(bindingOf(QUIT_KEYS, 'quit:no'))} stays.`}</Text>
      </Box>
    </Pane>
  );
}
