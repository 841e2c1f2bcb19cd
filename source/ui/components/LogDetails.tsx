/** Enter on a log step: its whole output (the last lines that fit). */
import { Text } from 'ink';
import React from 'react';
import type { Job, JobStep } from '../model/state.js';
import { ToneText } from './ToneText.js';
import { Pane } from './Pane.js';

export function LogDetails({ job, step, width, height }: { job: Job; step: JobStep; width: number; height: number }) {
  const room = Math.max(1, height - 3);
  const lines = step.lines.slice(-room);
  return (
    <Pane title={`Output · ${job.title} · ${step.title}`} note={`${step.lines.length} lines · Esc back`} focused width={width} height={height}>
      {step.lines.length > room ? <ToneText tone="muted">{`… ${step.lines.length - room} earlier lines`}</ToneText> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {lines.length === 0 ? <ToneText tone="muted">no output</ToneText> : null}
    </Pane>
  );
}
