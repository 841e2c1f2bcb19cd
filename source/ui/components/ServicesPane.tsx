/** The services of the selected tenant, with the selected row's health message under the table. */
import React, { memo } from 'react';
import type { ServiceView, TenantView } from '../model/state.js';
import { SERVICE_COLUMNS, serviceCells, serviceTone } from '../render/service-row.js';
import { healthTone } from '../theme.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { FilterLine } from './FilterLine.js';

export interface ServicesPaneProps {
  tenant?: TenantView;
  rows: readonly ServiceView[];
  selected: number;
  focused: boolean;
  width: number;
  height: number;
  visible: number;
  filter: string;
  filterEditing: boolean;
  now: number;
  loaded: boolean;
}

function messageOf(tenant: TenantView | undefined, row: ServiceView | undefined): { text: string; tone: ReturnType<typeof healthTone> } {
  if (tenant?.yamlErrors.length) return { text: `YAML error: ${tenant.yamlErrors[0]}`, tone: 'bad' };
  if (!row) return { text: '', tone: 'muted' };
  if (!row.message) return { text: `${row.service}: ${row.health}, ${row.sync}, version ${row.version}`, tone: 'muted' };
  return { text: `${row.service}: ${row.message}`, tone: row.health === 'Healthy' ? 'warn' : healthTone(row.health) };
}

export const ServicesPane = memo(function ServicesPane(props: ServicesPaneProps) {
  const { tenant, rows, selected, focused, width, height, visible, filter, filterEditing, now, loaded } = props;
  const total = tenant?.rows.length ?? 0;
  const title = tenant ? `Services · ${tenant.id}${tenant.namespace !== tenant.id ? ` (ns ${tenant.namespace})` : ''}` : 'Services';
  const count = rows.length ? `${selected + 1}/${rows.length}` : `0/${rows.length}`;
  const note = filter && rows.length !== total ? `${count} of ${total}` : count;
  const message = messageOf(tenant, rows[selected]);
  return (
    <Pane title={title} note={note} focused={focused} width={width} height={height}>
      <Table
        columns={SERVICE_COLUMNS}
        rows={rows}
        render={(row) => serviceCells(row, now)}
        rowTone={serviceTone}
        selected={selected}
        height={visible}
        width={width - 2}
        focused={focused}
        empty={!loaded ? 'reading manifests, store and cluster…' : filter ? `nothing matches "${filter}"` : 'no services'}
      />
      <FilterLine filter={filter} filterEditing={filterEditing} width={width - 2} otherwise={message} />
    </Pane>
  );
});
