/** r: roll a service back in three steps — pick the version, say why, confirm. Esc goes back a step. */
import { Box, Text } from 'ink';
import React from 'react';
import { bindingOf, keyWords } from '../keymap.js';
import type { RollbackDialog as Dialog, ServiceView } from '../model/state.js';
import { VERSION_COLUMNS, versionCells, versionTone } from '../render/version-row.js';
import { TypedConfirmation } from './ConfirmDialog.js';
import { ROLLBACK_CONFIRM_KEYS, ROLLBACK_TYPED_KEYS } from './RollbackDialog.keys.js';
import { ChangePreview } from './ChangePreview.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

const STAGES: { id: Dialog['stage']; label: string }[] = [
  { id: 'target', label: '1 version' },
  { id: 'reason', label: '2 reason' },
  { id: 'confirm', label: '3 confirm' },
];

export interface RollbackDialogProps {
  dialog: Dialog;
  service?: ServiceView;
  width: number;
  height: number;
  now: number;
}

/** What the registry said about the target, and what confirming does about it (issue 15). */
function RegistryLine({ answer, tag }: { answer: Dialog['registry']; tag: string }) {
  if (!answer) return <ToneText tone="muted">{`Registry: asking about ${tag}…`}</ToneText>;
  if (answer.state === 'present') return <ToneText tone="ok">{`Registry: ${tag} is there.`}</ToneText>;
  if (answer.state === 'unanswered') return <ToneText tone="warn">{`${answer.message}: the rollback goes on with this warning, recorded.`}</ToneText>;
  if (answer.state === 'refused') return <ToneText tone="bad">{`${answer.message}: the rollback will be refused.`}</ToneText>;
  return (
    <ToneText tone="bad" bold>
      {`The registry says ${tag} does not exist. Confirming rolls back without the registry check (audited, with your reason).`}
    </ToneText>
  );
}

export function RollbackDialog({ dialog, service, width, height, now }: RollbackDialogProps) {
  const target = dialog.candidates[dialog.index];
  const marks = { liveImage: service?.liveImage, manifestImage: service?.manifestImage };
  const from = service?.liveTag ?? service?.manifestTag ?? '?';
  return (
    <Pane title={`Roll back ${dialog.service} · ${dialog.tenantId}`} note={dialog.word ? 'protected namespace' : ''} focused width={width} height={height}>
      <Text wrap="truncate-end">
        {STAGES.map((s, i) => (
          <React.Fragment key={s.id}>
            {i > 0 ? ' › ' : ''}
            <ToneText tone={s.id === dialog.stage ? 'accent' : 'muted'} bold={s.id === dialog.stage}>
              {s.label}
            </ToneText>
          </React.Fragment>
        ))}
      </Text>
      <Text wrap="truncate-end">{`Live now: ${from}`}</Text>
      {dialog.stage === 'target' ? (
        <Box flexDirection="column" marginTop={1}>
          <Text>Choose the version to go back to:</Text>
          <Table
            columns={VERSION_COLUMNS}
            rows={dialog.candidates}
            render={(v) => versionCells(v, marks, now)}
            rowTone={versionTone}
            selected={dialog.index}
            height={Math.max(1, height - 8)}
            width={width - 2}
            focused
          />
        </Box>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          <Text wrap="truncate-end">
            {'Target:   '}
            <ToneText tone="accent" bold>
              {target?.imageTag ?? '?'}
            </ToneText>
            {target ? `  (${target.id}, ${target.status}, scan ${target.securityScanResult})` : ''}
          </Text>
          <Text wrap="truncate-end">
            {'Reason:   '}
            <TextField value={dialog.reason} active={dialog.stage === 'reason'} />
          </Text>
          {dialog.preview ? (
            <Box marginTop={1}>
              <ChangePreview preview={dialog.preview} rows={Math.max(1, height - 14)} fullKey="Tab" />
            </Box>
          ) : null}
          {dialog.stage === 'confirm' ? (
            <Box flexDirection="column">
              {/* Where a blank line was: the dialog keeps its height at 80×24. */}
              <RegistryLine answer={dialog.registry} tag={target?.imageTag ?? '?'} />
              <ToneText tone="warn" bold>{`Roll ${dialog.service} in ${dialog.tenantId} back from ${from} to ${target?.imageTag ?? '?'}: manifest and cluster.`}</ToneText>
              {dialog.word !== undefined ? (
                <TypedConfirmation word={dialog.word} typed={dialog.typed} cancel={bindingOf(ROLLBACK_TYPED_KEYS, 'rollback:cancel')} />
              ) : (
                <Text>{`Press ${keyWords(bindingOf(ROLLBACK_CONFIRM_KEYS, 'rollback:yes'))} to roll back, ${keyWords(bindingOf(ROLLBACK_CONFIRM_KEYS, 'rollback:no'))} to go back.`}</Text>
              )}
            </Box>
          ) : null}
        </Box>
      )}
    </Pane>
  );
}
