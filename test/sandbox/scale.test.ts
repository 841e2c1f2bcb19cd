/**
 * 1 000 Deployments (50 tenants × 20 services): full lists answer whole, and one change reaches
 * the watches it concerns and only those. How fast: `npm run bench sandbox`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, openWatch, patchTypes, sandbox } from './helpers.js';

let sb: Awaited<ReturnType<typeof sandbox>>;

beforeAll(async () => {
  sb = await sandbox({ deployments: 1000 });
});

describe('a sandbox with 1 000 deployments', () => {
  it('spreads them over 50 tenants, all available', async () => {
    const list = await call(sb, 'GET', '/apis/apps/v1/deployments');
    expect(list.body.items).toHaveLength(1000);
    expect(new Set(list.body.items.map((d: any) => d.metadata.namespace)).size).toBe(50);
    expect(list.body.items.every((d: any) => d.status.availableReplicas === 1)).toBe(true);
  });

  it('answers a full list, JSON or Table', async () => {
    const table = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
    expect((await call(sb, 'GET', '/apis/apps/v1/deployments')).body.items).toHaveLength(1000);
    const page = (await call(sb, 'GET', '/apis/apps/v1/deployments?limit=500', undefined, table)).body;
    expect(page.kind).toBe('Table');
    expect(page.rows).toHaveLength(500);
    expect(page.metadata.continue).toMatch(/\S/);
  });

  it('fans one change out to a hundred watchers at once, and only to those it concerns', async () => {
    const rv = (await call(sb, 'GET', '/apis/apps/v1/namespaces/tenant-01/deployments')).body.metadata.resourceVersion;
    const tenants = await Promise.all(
      Array.from({ length: 50 }, (_, i) => openWatch(sb, `/apis/apps/v1/namespaces/tenant-${String(i + 1).padStart(2, '0')}/deployments?watch=1&resourceVersion=${rv}`)),
    );
    const cluster = await Promise.all(Array.from({ length: 50 }, () => openWatch(sb, `/apis/apps/v1/deployments?watch=1&resourceVersion=${rv}`)));
    await call(sb, 'PATCH', '/apis/apps/v1/namespaces/tenant-07/deployments/callbot', { metadata: { labels: { touched: 'yes' } } }, { 'content-type': patchTypes.merge });
    const events = await Promise.all([tenants[6]!, ...cluster].map((w) => w.next()));
    expect(events.every((e) => e.type === 'MODIFIED' && e.object.metadata.labels.touched === 'yes')).toBe(true);
    await Promise.all(tenants.filter((_, i) => i !== 6).map((w) => expect(w.next(50)).rejects.toThrow('no watch event')));
    for (const w of [...tenants, ...cluster]) w.close();
  });
});
