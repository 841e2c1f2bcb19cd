/**
 * a: the approvals — pending ones first, then decided and expired ones — with the selected one's
 * details under the table, and the approve confirmation (y / Enter) or the reject reason.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { isExpired } from '../../domain/approvals.js';
import type { Approval } from '../../domain/types.js';
import { imagesAsTags, shownStatus } from '../../domain/approvals.js';
import { useInfo } from '../context.js';
import { useNow } from '../hooks/use-now.js';
import { bindingOf, keyWords } from '../keymap.js';
import type { ApprovalsView as View } from '../model/state.js';
import { APPROVAL_COLUMNS, approvalCells, approvalRowTone } from '../render/approval-row.js';
import { shortAge } from '../render/format.js';
import { APPROVALS_LIST_KEYS, APPROVE_KEYS, REJECT_KEYS } from './ApprovalsView.keys.js';
import { FilterLine } from './FilterLine.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { TextField } from './TextField.js';
import { ToneText } from './ToneText.js';

/** Lines under the table: a blank one, what it is, where it stands, what the keys do now. */
export const APPROVAL_DETAIL_LINES = 4;

export interface ApprovalsViewProps {
  view: View;
  rows: readonly Approval[];
  selected: number;
  /** Pending and not expired. */
  open: number;
  /** Rows only for this tenant (--tenant). */
  tenant?: string;
  /** The `/` filter the rows matched. */
  filter?: string;
  filterEditing?: boolean;
  width: number;
  height: number;
}

function standing(a: Approval, now: number, ttlMs: number): string {
  const ago = (iso: string | undefined) => (iso ? `${shortAge(now - Date.parse(iso))} ago` : '');
  const left = shortAge(Date.parse(a.requestedAt) + ttlMs - now);
  const expired = isExpired(a, now, ttlMs);
  switch (shownStatus(a, ttlMs, now)) {
    case 'pending':
      return `pending: requested by ${a.requestedBy} ${ago(a.requestedAt)} · expires in ${left}`;
    case 'expired':
      return `expired: requested by ${a.requestedBy} ${ago(a.requestedAt)}, never decided; run the ${a.action} again to request a new one`;
    case 'approved':
      return `approved by ${a.decidedBy} ${ago(a.decidedAt)}${a.reason ? ` (${a.reason})` : ''} · requested by ${a.requestedBy} · ${expired ? 'expired: no longer usable' : `usable for ${left} more`}`;
    case 'rejected':
      return `rejected by ${a.decidedBy} ${ago(a.decidedAt)}: ${a.reason ?? 'no reason given'} · requested by ${a.requestedBy}`;
  }
}

function Prompt({ view, approval, actor, readOnly, now, ttlMs }: { view: View; approval: Approval | undefined; actor: string; readOnly: boolean; now: number; ttlMs: number }) {
  if (!approval) return <Text> </Text>;
  if (view.stage === 'approve') {
    return (
      <Text wrap="truncate-end">
        <ToneText tone="warn" bold>{`Approve the ${approval.action} of ${approval.tenantId} (${imagesAsTags(approval.images)})? `}</ToneText>
        {`${keyWords(bindingOf(APPROVE_KEYS, 'approve:yes'))} approves, ${keyWords(bindingOf(APPROVE_KEYS, 'approve:no'))} goes back.`}
      </Text>
    );
  }
  if (view.stage === 'reject') {
    return (
      <Text wrap="truncate-end">
        <ToneText tone="warn" bold>{`Reject ${approval.id}, because: `}</ToneText>
        <TextField value={view.reason} active />
        <ToneText tone="muted">{`  ${keyWords(bindingOf(REJECT_KEYS, 'reject:submit'))} rejects, ${keyWords(bindingOf(REJECT_KEYS, 'reject:cancel'))} goes back`}</ToneText>
      </Text>
    );
  }
  const open = shownStatus(approval, ttlMs, now) === 'pending';
  const hint = readOnly
    ? 'Read-only: approving and rejecting are off.'
    : !open
      ? ''
      : approval.requestedBy === actor
        ? `You (${actor}) requested it: another approver approves or rejects it.`
        : `${keyWords(bindingOf(APPROVALS_LIST_KEYS, 'approvals:approve'))} approves it, ${keyWords(bindingOf(APPROVALS_LIST_KEYS, 'approvals:reject'))} rejects it (with a reason).`;
  return (
    <Text wrap="truncate-end">
      <ToneText tone="muted">{hint || ' '}</ToneText>
    </Text>
  );
}

export function ApprovalsView({ view, rows, selected, open, tenant, filter = '', filterEditing = false, width, height }: ApprovalsViewProps) {
  const info = useInfo();
  const now = useNow(1000);
  const approval = rows[selected];
  const title = `Approvals · ${open} pending${tenant ? ` · ${tenant}` : ''}`;
  const note = rows.length ? `${selected + 1}/${rows.length}` : '';
  const visible = Math.max(1, height - 3 - APPROVAL_DETAIL_LINES);
  return (
    <Pane title={title} note={note} focused width={width} height={height}>
      <Table
        columns={APPROVAL_COLUMNS}
        rows={rows}
        render={(a) => approvalCells(a, now, info.approvalTtlMs)}
        rowTone={(a) => approvalRowTone(a, now, info.approvalTtlMs)}
        selected={selected}
        height={visible}
        width={width - 2}
        focused
        empty={filter ? `no approval matches "${filter}"` : tenant ? `no approvals recorded for ${tenant}` : 'no approvals recorded: a deploy or update into a protected namespace requests one'}
      />
      <FilterLine filter={filter} filterEditing={filterEditing} width={width - 2} otherwise={{ text: ' ', tone: 'muted' }} />
      <Box flexDirection="column" width={width - 2}>
        <Text wrap="truncate-end">
          {approval
            ? `${approval.action} of ${approval.tenantId} (namespace ${approval.namespace}) · ${Object.entries(approval.images)
                .map(([s, i]) => `${s}=${i}`)
                .join(', ')}`
            : ' '}
        </Text>
        <Text wrap="truncate-end">{approval ? standing(approval, now, info.approvalTtlMs) : ' '}</Text>
        <Prompt view={view} approval={approval} actor={info.actor} readOnly={info.decisionsReadOnly} now={now} ttlMs={info.approvalTtlMs} />
      </Box>
    </Pane>
  );
}
