/** Enter on a log step: its whole output, wrapped to the width; the newest lines first, ↑ scrolls back. */
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

/**
 * The wrapped lines shown for a pane of `width` × `height`, `back` lines up from the newest one
 * (clamped), with how many lines lie before and after them.
 */
export function outputWindow(lines: readonly string[], width: number, height: number, back: number) {
  const room = Math.max(1, height - 3);
  const wrapped = lines.flatMap((line) => wrapLine(line, width - 2));
  const maxBack = Math.max(0, wrapped.length - room);
  const end = wrapped.length - Math.min(back, maxBack);
  const start = Math.max(0, end - room);
  return { shown: wrapped.slice(start, end), before: start, after: wrapped.length - end, maxBack };
}

export interface LogDetailsProps {
  job: Job;
  step: JobStep;
  /** Wrapped lines scrolled back from the newest one. */
  back: number;
  width: number;
  height: number;
}

export function LogDetails({ job, step, back, width, height }: LogDetailsProps) {
  const { shown, before, after } = outputWindow(step.lines, width, height, back);
  const position = after > 0 ? ` · ${after} later lines` : '';
  return (
    <Pane title={`Output · ${job.title} · ${step.title}`} note={`${step.lines.length} lines${position}`} focused width={width} height={height}>
      {before > 0 ? <ToneText tone="muted">{`… ${before} earlier lines`}</ToneText> : null}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {shown.length === 0 ? <ToneText tone="muted">no output</ToneText> : null}
    </Pane>
  );
}
