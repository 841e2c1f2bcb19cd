/** A tenant as a row of the tenants pane: the worst state of its services, as symbol and word. */
import type { TenantView } from '../model/state.js';
import { badgeSymbol, badgeTone, type Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';

export const TENANT_COLUMNS: readonly Column[] = [
  { id: 'badge', title: ' ', width: 1 },
  { id: 'tenant', title: 'TENANT', flex: 1, min: 8 },
  { id: 'state', title: 'STATE', width: 11, drop: 1 },
];

export function tenantCells(tenant: TenantView): Cell[] {
  const tone = badgeTone(tenant.worst);
  return [{ text: badgeSymbol(tenant.worst), tone }, { text: tenant.yamlErrors.length ? `${tenant.id} !` : tenant.id }, { text: tenant.worst, tone }];
}

export function tenantTone(tenant: TenantView): Tone | undefined {
  return tenant.yamlErrors.length ? 'bad' : undefined;
}
