/**
 * The fleet view's rows: one per service, two columns per tenant — the tag it runs and its sync
 * mark with its health word — so "which tenants still run callbot v1.2" is one look.
 */
import { badgeOf, type SyncStatus } from '../../domain/status.js';
import type { TenantView } from '../model/state.js';
import { fleetCellMatches, fleetTag, serviceOf } from '../model/selectors.js';
import { badgeTone, syncTone } from '../theme.js';
import { GAP, GUTTER, type Cell, type Column } from './columns.js';

/** A character for the sync state, before the health word (reads without colour). */
export const SYNC_MARK: Record<SyncStatus, string> = { Synced: '=', OutOfSync: '≠', Missing: '∅', Unknown: '?' };

const SERVICE_MIN = 12;
const TAG_MIN = 10;
/** The sync mark, a space and the longest health word ("Progressing"): never cut. */
const STATE_WIDTH = 13;
/** The column before every tag that marks the selected cell (`▸`): marking it costs no tag its text. */
const MARK_WIDTH = 1;
const PER_TENANT = MARK_WIDTH + TAG_MIN + GAP + STATE_WIDTH + GAP;

/** How many tenant columns fit in `width`, and from which tenant they start so `selected` is shown. */
export function tenantWindow(width: number, total: number, selected: number): { start: number; count: number } {
  const count = Math.max(1, Math.min(total, Math.floor((width - GUTTER - SERVICE_MIN) / PER_TENANT)));
  const start = Math.max(0, Math.min(total - count, selected - count + 1));
  return { start, count };
}

/** The columns for the tenants shown; the selected tenant's name is marked. */
export function fleetColumns(tenants: readonly TenantView[], selectedId: string | undefined): Column[] {
  return [
    { id: 'service', title: 'SERVICE', flex: 1, min: SERVICE_MIN },
    ...tenants.flatMap((t): Column[] => [
      { id: `tag:${t.id}`, title: `${t.id === selectedId ? '▸' : ' '}${t.id}`, flex: 1, min: MARK_WIDTH + Math.max(TAG_MIN, t.id.length), truncate: 'tag' },
      { id: `state:${t.id}`, title: '', width: STATE_WIDTH },
    ]),
  ];
}

/** `filter`: cells that do not match it are muted, so the tenants that run what was asked for stand out. */
export function fleetCells(service: string, tenants: readonly TenantView[], selected: TenantView | undefined, isSelectedRow: boolean, filter = ''): Cell[] {
  return [
    { text: service },
    ...tenants.flatMap((t): Cell[] => {
      const row = serviceOf(t, service);
      const mark = isSelectedRow && t === selected ? '▸' : ' ';
      if (!row) return [{ text: '·', mark, tone: 'muted' }, { text: '' }];
      if (!fleetCellMatches(service, row, filter))
        return [
          { text: fleetTag(row), mark, tone: 'muted' },
          { text: `${SYNC_MARK[row.sync]} ${row.health}`, tone: 'muted' },
        ];
      const drift = row.liveTag !== undefined && row.liveTag !== row.manifestTag;
      return [
        { text: fleetTag(row), mark, tone: drift ? 'warn' : undefined },
        { text: `${SYNC_MARK[row.sync]} ${row.health}`, tone: row.sync === 'Synced' ? badgeTone(badgeOf(row)) : syncTone(row.sync) },
      ];
    }),
  ];
}
