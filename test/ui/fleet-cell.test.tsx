/**
 * The fleet view's selected cell (issue 15): the `▸` that marks it has a column of its own in
 * every cell, so the selected tenant's tag is shown as whole as its neighbour's — at 80 columns
 * with the demo's tenants, `v1.0.0-seed01` in both, not `v1.0.0-seed…` under the cursor.
 */
import { afterEach, expect, it } from 'vitest';
import { FleetView } from '../../source/ui/components/FleetView.js';
import type { ServiceView, TenantView } from '../../source/ui/model/state.js';
import { renderAlone } from './helpers.js';

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

const IMG = 'localhost:5000/ecp-ai';
const row = (tenantId: string, service: string, tag: string): ServiceView => ({
  tenantId,
  namespace: tenantId,
  service,
  workload: service,
  workloadKind: 'Deployment',
  workloads: [],
  manifestImage: `${IMG}/${service}:${tag}`,
  manifestTag: tag,
  liveTag: tag,
  sync: 'Synced',
  health: 'Healthy',
  healthMessage: '',
  version: 'ready',
  message: '',
  kind: 'Deployment',
  file: 'services.yaml',
  line: 1,
  containers: [],
});
const tenant = (id: string): TenantView => ({
  id,
  namespace: id,
  rows: ['advisor', 'callbot', 'chatbot'].map((s) => row(id, s, 'v1.0.0-seed01')),
  worst: 'Healthy',
  yamlErrors: [],
  protectedNamespaces: [],
});

it.each([0, 1])('shows the tag of the selected cell whole, as the cell beside it (tenant %i selected)', (selected) => {
  const tenants = [tenant('acme-prod'), tenant('test-download')];
  const rendered = renderAlone(
    <FleetView tenants={tenants} rows={['advisor', 'callbot', 'chatbot']} selectedRow={1} selectedTenant={tenants[selected]} width={80} height={10} filter="" filterEditing={false} />,
  );
  unmount = rendered.unmount;
  const lines = rendered.frame().split('\n');
  const selectedRow = lines.find((l) => l.includes('callbot'))!;
  expect(selectedRow.match(/v1\.0\.0-seed01/g)).toHaveLength(2);
  expect(selectedRow).toContain('▸v1.0.0-seed01');
  for (const other of lines.filter((l) => /advisor|chatbot/.test(l))) expect(other.match(/ v1\.0\.0-seed01/g)).toHaveLength(2);
  // The header marks the selected tenant in the same column.
  const header = lines[1]!;
  expect(header.indexOf(`▸${tenants[selected]!.id}`)).toBe(selectedRow.indexOf('▸v1.0.0-seed01'));
});
