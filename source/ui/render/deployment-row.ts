/** A deployment record (deploy, rollback, auto-rollback) as a row of the details view. */
import type { DeploymentRecord } from '../../domain/types.js';
import { tagOf } from '../../domain/names.js';
import { deploymentTone } from '../theme.js';
import type { Cell, Column } from './columns.js';
import { ageSince } from './format.js';
import { CHANGE_ARROW } from '../text.js';

export const DEPLOYMENT_COLUMNS: readonly Column[] = [
  { id: 'when', title: 'WHEN', width: 4, align: 'right' },
  { id: 'kind', title: 'KIND', width: 13 },
  { id: 'status', title: 'STATUS', width: 11 },
  { id: 'change', title: 'FROM → TO', flex: 2, min: 12, truncate: 'change' },
  { id: 'actor', title: 'ACTOR', flex: 1, min: 6, drop: 2 },
  { id: 'reason', title: 'REASON', flex: 2, min: 8, drop: 1 },
];

export function deploymentCells(d: DeploymentRecord, now: number): Cell[] {
  return [
    { text: ageSince(d.startedAt, now) },
    { text: d.kind, tone: d.kind === 'deploy' ? undefined : 'warn' },
    { text: d.status, tone: deploymentTone(d.status) },
    { text: `${d.fromImage ? tagOf(d.fromImage) : '-'}${CHANGE_ARROW}${tagOf(d.toImage)}` },
    { text: d.actor },
    { text: d.reason ?? d.message ?? '' },
  ];
}
