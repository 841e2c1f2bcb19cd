/**
 * `:fleet` (or f): services × tenants — the version each tenant runs, its sync and health. The
 * cursor is a cell: its tenant is the selected tenant, its row the service the keys act on.
 */
import { Text } from 'ink';
import React, { memo, useMemo } from 'react';
import type { TenantView } from '../model/state.js';
import { fleetTag, serviceOf } from '../model/selectors.js';
import { fleetCells, fleetColumns, SYNC_MARK, tenantWindow } from '../render/fleet-row.js';
import { counted } from '../../domain/words.js';
import { healthTone } from '../theme.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { FilterLine } from './FilterLine.js';
import { ToneText } from './ToneText.js';

export interface FleetViewProps {
  tenants: readonly TenantView[];
  /** Service names, the rows (filtered). */
  rows: readonly string[];
  selectedRow: number;
  selectedTenant?: TenantView;
  width: number;
  height: number;
  filter: string;
  filterEditing: boolean;
}

/** The line under the table: the cell in words, or the filter being typed. */
function cellLine(tenant: TenantView | undefined, service: string | undefined): { text: string; tone: ReturnType<typeof healthTone> } {
  if (!tenant || service === undefined) return { text: '', tone: 'muted' };
  const row = serviceOf(tenant, service);
  if (!row) return { text: `${tenant.id} has no ${service}`, tone: 'muted' };
  const manifest = row.liveTag !== undefined && row.liveTag !== row.manifestTag ? ` (manifest ${row.manifestTag})` : '';
  const message = row.message ? ` · ${row.message}` : '';
  return { text: `${service} in ${tenant.id}: ${fleetTag(row)}${manifest} · ${row.sync} · ${row.health}${message}`, tone: row.message ? healthTone(row.health) : 'muted' };
}

export const FleetView = memo(function FleetView({ tenants, rows, selectedRow, selectedTenant, width, height, filter, filterEditing }: FleetViewProps) {
  const column = selectedTenant ? Math.max(0, tenants.indexOf(selectedTenant)) : 0;
  const { start, count } = tenantWindow(width - 2, tenants.length, column);
  const shown = useMemo(() => tenants.slice(start, start + count), [tenants, start, count]);
  const columns = useMemo(() => fleetColumns(shown, selectedTenant?.id), [shown, selectedTenant?.id]);
  const line = cellLine(selectedTenant, rows[selectedRow]);
  const more = tenants.length > count ? ` · tenants ${start + 1}-${start + count} of ${tenants.length} (←→)` : '';
  const legend = `${SYNC_MARK.Synced} synced  ${SYNC_MARK.OutOfSync} out of sync  ${SYNC_MARK.Missing} missing  ${SYNC_MARK.Unknown} unknown`;
  return (
    <Pane
      title={`Fleet · ${counted(rows.length, 'service')} × ${counted(tenants.length, 'tenant')}`}
      note={`${rows.length ? selectedRow + 1 : 0}/${rows.length}${more}`}
      focused
      width={width}
      height={height}
    >
      <Table
        columns={columns}
        rows={rows}
        render={(service, index) => fleetCells(service, shown, selectedTenant, index === selectedRow, filter)}
        selected={selectedRow}
        height={Math.max(1, height - 5)}
        width={width - 2}
        focused
        empty={filter ? `no service matches "${filter}"` : 'no services'}
      />
      <FilterLine filter={filter} filterEditing={filterEditing} width={width - 2} otherwise={line} />
      <Text wrap="truncate-end">
        <ToneText tone="muted">{legend}</ToneText>
      </Text>
    </Pane>
  );
});
