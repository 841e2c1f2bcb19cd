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
}

export const TenantsPane = memo(function TenantsPane({ tenants, selected, focused, width, height, visible, loaded }: TenantsPaneProps) {
  const columns = useMemo(() => tenantColumns(tenants), [tenants]);
  return (
    <Pane title="Tenants" note={tenants.length ? `${selected + 1}/${tenants.length}` : ''} focused={focused} width={width} height={height}>
      <Table
        columns={columns}
        rows={tenants}
        render={tenantCells}
        rowTone={tenantTone}
        selected={selected}
        height={visible}
        width={width - 2}
        focused={focused}
        empty={loaded ? 'no tenants' : 'reading…'}
      />
    </Pane>
  );
});
