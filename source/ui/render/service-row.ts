/** A service of a tenant as a row of the services table (k9s render/dp.go: header, row, colour). */
import { badgeOf } from '../../domain/status.js';
import type { ServiceView } from '../model/state.js';
import { badgeTone, healthTone, scanTone, syncTone, type Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';
import { ageSince } from './format.js';

export const SERVICE_COLUMNS: readonly Column[] = [
  { id: 'service', title: 'SERVICE', flex: 2, min: 8 },
  { id: 'manifest', title: 'MANIFEST TAG', short: 'MANIFEST', flex: 3, min: 10, truncate: 'tag' },
  { id: 'live', title: 'LIVE TAG', flex: 3, min: 10, truncate: 'tag' },
  { id: 'sync', title: 'SYNC', width: 9 },
  { id: 'health', title: 'HEALTH', width: 11 },
  { id: 'scan', title: 'SCAN', width: 7, drop: 2 },
  { id: 'ready', title: 'READY', width: 5, align: 'right', drop: 1 },
  { id: 'age', title: 'AGE', width: 4, align: 'right', drop: 3 },
];

export function serviceCells(row: ServiceView, now: number): Cell[] {
  const ready = row.desiredReplicas === undefined ? '-' : `${row.readyReplicas ?? 0}/${row.desiredReplicas}`;
  const drift = row.liveTag !== undefined && row.liveTag !== row.manifestTag;
  return [
    { text: row.service },
    { text: row.manifestTag || '-' },
    { text: row.liveTag ?? '-', tone: drift ? 'warn' : undefined },
    { text: row.sync, tone: syncTone(row.sync) },
    { text: row.health, tone: healthTone(row.health) },
    { text: row.scan ?? (row.version === 'unregistered' ? 'unreg' : '-'), tone: row.scan ? scanTone(row.scan) : 'warn' },
    { text: ready, tone: row.readyReplicas !== undefined && row.readyReplicas < (row.desiredReplicas ?? 0) ? 'progress' : undefined },
    { text: ageSince(row.createdAt, now) },
  ];
}

/** The row's colour: its badge (health, then drift, then version readiness). */
export function serviceTone(row: ServiceView): Tone | undefined {
  const badge = badgeOf(row);
  return badge === 'Healthy' ? undefined : badgeTone(badge);
}
