/** A text to read from the top, wrapped: the live object as YAML (y), a manifest diff (Tab in a confirm step). */
import { Text } from 'ink';
import React from 'react';
import { counted } from '../../domain/words.js';
import { wrapLine } from './LogDetails.js';
import { Pane } from './Pane.js';
import { ToneText } from './ToneText.js';

/** The wrapped lines a pane of `width` × `height` shows from wrapped line `top` (clamped). */
export function textWindow(lines: readonly string[], width: number, height: number, top: number) {
  const room = Math.max(1, height - 3);
  const wrapped = lines.flatMap((line) => wrapLine(line, width - 2));
  const maxTop = Math.max(0, wrapped.length - room);
  const start = Math.min(Math.max(0, top), maxTop);
  return { shown: wrapped.slice(start, start + room), after: Math.max(0, wrapped.length - start - room), maxTop };
}

export function TextView({ title, lines, top, width, height }: { title: string; lines: readonly string[]; top: number; width: number; height: number }) {
  const { shown, after } = textWindow(lines, width, height, top);
  return (
    <Pane title={title} note={`${counted(lines.length, 'line')}${after > 0 ? ` · ${after} more` : ''}`} focused width={width} height={height}>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {after > 0 ? <ToneText tone="muted">{`… ${after} more lines (↓)`}</ToneText> : null}
    </Pane>
  );
}
