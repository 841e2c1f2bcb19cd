/** q while a step runs: quitting stops it, so ask; once confirmed, what is still being stopped. */
import { Box, Text } from 'ink';
import React from 'react';
import { bindingOf, keyWords } from '../keymap.js';
import type { Job } from '../model/state.js';
import { Pane } from './Pane.js';
import { QUIT_KEYS, STOPPING_KEYS } from './QuitDialog.keys.js';
import { ToneText } from './ToneText.js';

/** `stopping`: quit was confirmed and `running` are being stopped. */
export function QuitDialog({ running, stopping, width, height }: { running: readonly Job[]; stopping?: boolean; width: number; height: number }) {
  const steps = running.length === 1 ? 'A step is' : `${running.length} steps are`;
  const headline = running.length === 0 ? 'Nothing is running any more.' : stopping ? `Stopping at the next safe point (${running.length} running):` : `${steps} still running:`;
  const question = stopping
    ? `The console ends once they have stopped; ${keyWords(bindingOf(STOPPING_KEYS, 'quit:now'))} quits at once, leaving them where they are.`
    : `${running.length === 0 ? 'Quit?' : 'They stop at their next safe point. Quit anyway?'} ${keyWords(bindingOf(QUIT_KEYS, 'quit:yes'))} quits, ${keyWords(bindingOf(QUIT_KEYS, 'quit:no'))} stays.`;
  return (
    <Pane title={stopping ? 'Quitting' : 'Quit?'} focused width={width} height={height}>
      <ToneText tone="warn" bold>
        {headline}
      </ToneText>
      {running.map((j) => (
        <Text key={j.id} wrap="truncate-end">{`  ${j.title}${stopping ? ` · ${j.steps.filter((s) => s.state === 'running').at(-1)?.title ?? 'starting'}` : ''}`}</Text>
      ))}
      <Box marginTop={1}>
        <Text>{question}</Text>
      </Box>
    </Pane>
  );
}
