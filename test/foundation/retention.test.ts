/**
 * History retention (DESIGN §5): exactly `keepPerService` deployment records per tenant/service
 * stay hot, the older ones move to the archive, and a record still in flight is never archived,
 * whatever its age. No engine, registry or cluster.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, DeploymentStatus } from '../../source/domain/types.js';
import { Store } from '../../source/store/store.js';
import { tempDir } from '../helpers/temp.js';

const record = (n: number, status: DeploymentStatus = 'succeeded', serviceName = 'callbot'): DeploymentRecord => ({
  id: `dep-${serviceName}-${n}`,
  tenantId: 'test-download',
  namespace: 'test-download',
  serviceName,
  toImage: `localhost:5000/ecp-ai/${serviceName}:v${n}`,
  kind: 'deploy',
  status,
  actor: 'operator@example.test',
  startedAt: new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString(),
});

async function storeWith(records: DeploymentRecord[], keep = 3) {
  const store = new Store(tempDir(), keep);
  await store.update((data) => {
    data.deployments.push(...records);
  });
  const hot = (await store.read()).deployments.map((d) => d.id).sort();
  const archived = (await store.archivedDeployments('test-download')).map((d) => d.id).sort();
  return { hot, archived };
}

describe('deployment-record retention', () => {
  it('keeps exactly keepPerService records hot per tenant/service', async () => {
    expect(await storeWith([1, 2, 3].map((n) => record(n)))).toEqual({ hot: ['dep-callbot-1', 'dep-callbot-2', 'dep-callbot-3'], archived: [] });
    const four = await storeWith([...[1, 2, 3, 4].map((n) => record(n)), record(1, 'succeeded', 'chatbot')]);
    expect(four).toEqual({ hot: ['dep-callbot-2', 'dep-callbot-3', 'dep-callbot-4', 'dep-chatbot-1'], archived: ['dep-callbot-1'] });
  });

  it('never archives a record still pending or progressing, however old', async () => {
    const records = [record(1, 'progressing'), record(2, 'pending'), record(3, 'failed'), ...[4, 5, 6].map((n) => record(n))];
    expect(await storeWith(records)).toEqual({
      hot: ['dep-callbot-1', 'dep-callbot-2', 'dep-callbot-4', 'dep-callbot-5', 'dep-callbot-6'],
      archived: ['dep-callbot-3'],
    });
  });
});
