/** An approval as a row of the approvals view (a). */
import type { Approval } from '../../domain/types.js';
import { imagesAsTags, shownStatus } from '../../domain/approvals.js';
import { approvalTone, type Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';
import { ageSince } from './format.js';

export const APPROVAL_COLUMNS: readonly Column[] = [
  { id: 'id', title: 'ID', width: 19 },
  { id: 'action', title: 'ACTION', width: 6 },
  { id: 'tenant', title: 'TENANT', flex: 1, min: 10 },
  { id: 'images', title: 'IMAGES', flex: 3, min: 24 },
  { id: 'by', title: 'REQUESTED BY', short: 'BY', flex: 1, min: 8, drop: 1 },
  { id: 'age', title: 'AGE', width: 4, align: 'right' },
  { id: 'status', title: 'STATUS', width: 8 },
];

/** `update-manifests` is `update` in the table (the details line says it in full). */
const ACTION_WORD: Record<Approval['action'], string> = { deploy: 'deploy', 'update-manifests': 'update' };

export function approvalCells(a: Approval, now: number, ttlMs: number): Cell[] {
  const status = shownStatus(a, ttlMs, now);
  return [
    { text: a.id },
    { text: ACTION_WORD[a.action] },
    { text: a.tenantId },
    { text: imagesAsTags(a.images) },
    { text: a.requestedBy },
    { text: ageSince(a.requestedAt, now) },
    { text: status, tone: approvalTone(status) },
  ];
}

/** Decided and expired approvals are history: muted, but for their status. */
export function approvalRowTone(a: Approval, now: number, ttlMs: number): Tone | undefined {
  return shownStatus(a, ttlMs, now) === 'pending' ? undefined : 'muted';
}
