/** In a confirm step: what the manifests would become — old → new tags, the changed lines of the diff, the key of the full diff. */
import { Box, Text } from 'ink';
import React from 'react';
import type { PreviewState } from '../model/state.js';
import { ToneText } from './ToneText.js';

/** The diff's changed lines (not its file headers). */
export const changedLines = (diff: readonly string[]) => diff.filter((l) => /^[-+](?![-+]{2} )/.test(l));

export function ChangePreview({ preview, rows, fullKey }: { preview: PreviewState | undefined; rows: number; fullKey: string }) {
  if (!preview) return null;
  if (preview.state === 'loading') return <ToneText tone="muted">reading what the manifests would become…</ToneText>;
  if (preview.state === 'failed') return <ToneText tone="warn">{`What the manifests would become could not be read: ${preview.error}`}</ToneText>;
  const changed = changedLines(preview.diff);
  const shown = changed.slice(0, Math.max(1, rows));
  return (
    <Box flexDirection="column">
      {preview.changes.length === 0 ? <Text>The manifests would not change.</Text> : null}
      {preview.changes.map((c) => (
        <Text key={c} wrap="truncate-end" bold>{`  ${c}`}</Text>
      ))}
      {preview.skipped.map((s) => (
        <ToneText key={s} tone="muted">{`  left as is: ${s}`}</ToneText>
      ))}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <ToneText tone={line.startsWith('+') ? 'ok' : 'bad'}>{`  ${line}`}</ToneText>
        </Text>
      ))}
      {preview.diff.length > 0 ? (
        <ToneText tone="muted">{`  ${changed.length > shown.length ? `… ${changed.length - shown.length} more changed lines; ` : ''}${fullKey}: the full diff`}</ToneText>
      ) : null}
    </Box>
  );
}
