/** The tenants, each with the worst state of its services. */
import React, { memo, useMemo } from 'react';
import type { TenantView } from '../model/state.js';
import { tenantColumns, tenantCells, tenantTone } from '../render/tenant-row.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';

export interface TenantsPaneProps {
  tenants: readonly TenantView[];
  selected: number;
  focused: boolean;
  width: number;
  height: number;
  visible: number;
  loaded: boolean;
  /** The `/` filter, when it filters this pane. */
  filter?: string;
}

export const TenantsPane = memo(function TenantsPane({ tenants, selected, focused, width, height, visible, loaded, filter }: TenantsPaneProps) {
  const columns = useMemo(() => tenantColumns(tenants), [tenants]);
  return (
    <Pane title="Tenants" note={[filter, tenants.length ? `${selected + 1}/${tenants.length}` : ''].filter(Boolean).join(' ')} focused={focused} width={width} height={height}>
      <Table
        columns={columns}
        rows={tenants}
        render={tenantCells}
        rowTone={tenantTone}
        selected={selected}
        height={visible}
        width={width - 2}
        focused={focused}
        empty={!loaded ? 'reading…' : filter ? 'none matches' : 'no tenants'}
      />
    </Pane>
  );
});
