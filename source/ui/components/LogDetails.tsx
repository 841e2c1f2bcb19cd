/** Enter on a log step: its whole output, wrapped to the width (the last lines that fit). */
import { Text } from 'ink';
import React from 'react';
import type { Job, JobStep } from '../model/state.js';
import { charWidth } from '../text.js';
import { Pane } from './Pane.js';
import { ToneText } from './ToneText.js';

/** Splits a line into pieces of at most `width` columns. */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0) return [line];
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const ch of line) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > width) {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += ch;
    used += w;
  }
  pieces.push(piece);
  return pieces;
}

export function LogDetails({ job, step, width, height }: { job: Job; step: JobStep; width: number; height: number }) {
  const room = Math.max(1, height - 3);
  const wrapped = step.lines.flatMap((line) => wrapLine(line, width - 2));
  const lines = wrapped.slice(-room);
  return (
    <Pane title={`Output · ${job.title} · ${step.title}`} note={`${step.lines.length} lines · Esc back`} focused width={width} height={height}>
      {wrapped.length > room ? <ToneText tone="muted">{`… ${wrapped.length - room} earlier lines`}</ToneText> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {lines.length === 0 ? <ToneText tone="muted">no output</ToneText> : null}
    </Pane>
  );
}
