/** 1 000 Deployments (50 tenants × 20 services): full lists stay fast and watch fan-out stays cheap. */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, openWatch, patchTypes, sandbox } from './helpers.js';

let sb: Awaited<ReturnType<typeof sandbox>>;

beforeAll(async () => {
  sb = await sandbox({ deployments: 1000 });
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

describe('a sandbox with 1 000 deployments', () => {
  it('spreads them over 50 tenants, all available', async () => {
    const list = await call(sb, 'GET', '/apis/apps/v1/deployments');
    expect(list.body.items).toHaveLength(1000);
    expect(new Set(list.body.items.map((d: any) => d.metadata.namespace)).size).toBe(50);
    expect(list.body.items.every((d: any) => d.status.availableReplicas === 1)).toBe(true);
  });

  it('answers a full list, JSON or Table, in tens of milliseconds', async () => {
    const table = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      runs.push((await timed(() => call(sb, 'GET', '/apis/apps/v1/deployments'))).ms);
      runs.push((await timed(() => call(sb, 'GET', '/apis/apps/v1/deployments?limit=500', undefined, table))).ms);
    }
    runs.sort((a, b) => a - b);
    // The median includes parsing 4 MB of JSON in the test; the server's share is a fraction of it.
    expect(runs[Math.floor(runs.length / 2)]).toBeLessThan(150);
  });

  it('fans one change out to a hundred watchers at once, and only to those it concerns', async () => {
    const rv = (await call(sb, 'GET', '/apis/apps/v1/namespaces/tenant-01/deployments')).body.metadata.resourceVersion;
    const tenants = await Promise.all(
      Array.from({ length: 50 }, (_, i) => openWatch(sb, `/apis/apps/v1/namespaces/tenant-${String(i + 1).padStart(2, '0')}/deployments?watch=1&resourceVersion=${rv}`)),
    );
    const cluster = await Promise.all(Array.from({ length: 50 }, () => openWatch(sb, `/apis/apps/v1/deployments?watch=1&resourceVersion=${rv}`)));
    const { ms } = await timed(async () => {
      await call(sb, 'PATCH', '/apis/apps/v1/namespaces/tenant-07/deployments/callbot', { metadata: { labels: { touched: 'yes' } } }, { 'content-type': patchTypes.merge });
      const events = await Promise.all([tenants[6]!, ...cluster].map((w) => w.next()));
      expect(events.every((e) => e.type === 'MODIFIED' && e.object.metadata.labels.touched === 'yes')).toBe(true);
    });
    expect(ms).toBeLessThan(500);
    await Promise.all(tenants.filter((_, i) => i !== 6).map((w) => expect(w.next(50)).rejects.toThrow('no watch event')));
    for (const w of [...tenants, ...cluster]) w.close();
  });
});
