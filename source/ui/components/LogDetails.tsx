/** Enter on a log step: its whole output, wrapped to the width; the newest lines first, ↑ scrolls back. */
import { Text } from 'ink';
import React from 'react';
import type { Job, JobStep } from '../model/state.js';
import { counted } from '../../domain/words.js';
import { charWidth, textWidth } from '../text.js';
import { Pane } from './Pane.js';
import { ToneText } from './ToneText.js';

/** Splits a line into pieces of at most `width` columns, at spaces where it can (a longer word is cut). */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0 || textWidth(line) <= width) return [line];
  const pieces: string[] = [];
  let piece = '';
  const flush = () => {
    pieces.push(piece);
    piece = '';
  };
  for (const word of line.split(/(?<= )/)) {
    if (textWidth(piece) + textWidth(word.trimEnd()) <= width) {
      piece += word;
      continue;
    }
    if (piece) flush();
    // A word wider than the line: cut it into pieces of the width.
    for (const ch of word) {
      if (textWidth(piece) + charWidth(ch.codePointAt(0)!) > width) flush();
      piece += ch;
    }
  }
  if (piece || pieces.length === 0) pieces.push(piece);
  return pieces.map((p) => p.trimEnd());
}

/**
 * What the output view shows of a step: its lines; a failed step without any says its whole
 * title and the job's summary (the log row and the view's title cut them), never "no output".
 */
export function outputLines(job: Job, step: JobStep): readonly string[] {
  if (step.lines.length > 0 || step.state !== 'failed') return step.lines;
  return [step.title, ...(job.summary && job.summary !== step.title ? [job.summary] : [])];
}

/** The step Enter on a job opens: its first failed step, else its last one. */
export function stepToShow(job: Job): JobStep | undefined {
  return job.steps.find((s) => s.state === 'failed') ?? job.steps.at(-1);
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
  const lines = outputLines(job, step);
  const { shown, before, after } = outputWindow(lines, width, height, back);
  const position = after > 0 ? ` · ${counted(after, 'later line')}` : '';
  return (
    <Pane title={`Output · ${job.title} · ${step.title}`} note={`${counted(lines.length, 'line')}${position}`} focused width={width} height={height}>
      {before > 0 ? <ToneText tone="muted">{`… ${counted(before, 'earlier line')}`}</ToneText> : null}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {shown.length === 0 ? <ToneText tone="muted">no output</ToneText> : null}
    </Pane>
  );
}
