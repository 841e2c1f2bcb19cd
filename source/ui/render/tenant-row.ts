/** A tenant as a row of the tenants pane: the worst state of its services, as symbol and word. */
import type { TenantView } from '../model/state.js';
import { badgeSymbol, badgeTone, type Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';

/**
 * The tenant column is as wide as the longest name (with its " !"), so a narrow pane leaves the
 * state word out (the badge symbol stays) before it cuts a name.
 */
export function tenantColumns(tenants: readonly TenantView[]): Column[] {
  const longest = Math.max(8, ...tenants.map((t) => t.id.length + (t.yamlErrors.length ? 2 : 0)));
  return [
    { id: 'badge', title: ' ', width: 1 },
    { id: 'tenant', title: 'TENANT', flex: 1, min: longest },
    { id: 'state', title: 'STATE', width: 11, drop: 1 },
  ];
}

export function tenantCells(tenant: TenantView): Cell[] {
  const tone = badgeTone(tenant.worst);
  return [{ text: badgeSymbol(tenant.worst), tone }, { text: tenant.yamlErrors.length ? `${tenant.id} !` : tenant.id }, { text: tenant.worst, tone }];
}

export function tenantTone(tenant: TenantView): Tone | undefined {
  return tenant.yamlErrors.length ? 'bad' : undefined;
}
