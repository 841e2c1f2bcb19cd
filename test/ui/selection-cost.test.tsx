/**
 * Issue 15's key → frame at 1 000 services: what moving the selection makes the console do. The
 * selected service's history falls back on its Deployment's previous revision where ecp has no
 * record; finding it reads that Deployment's ReplicaSets (by its selector), not every ReplicaSet
 * of the namespace — 1 000 of them in a big tenant, parsed on each move of the selection.
 */
import { expect, it } from 'vitest';
import { writeTenant } from './fixtures.js';
import { renderConsole, sandboxCluster, stopAfterEach, unmountAfterEach, workspace } from './helpers.js';

const mounted = unmountAfterEach();
const started = stopAfterEach();

it("reads the ReplicaSets of the selected service's Deployment only", async () => {
  const ws = workspace({ copySamples: false });
  writeTenant(
    ws.manifestsDir,
    'shop',
    ['billing', 'callbot', 'search'].map((name) => ({ name, tag: 'v1' })),
  );
  const cluster = started(await sandboxCluster(ws.manifestsDir, ['shop']));
  const open = mounted(await renderConsole(ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 100, rows: 30 } }));
  await open.waitFor((f) => /search\s+v1\s+v1\s+Synced\s+Healthy/.test(f) && f.includes('History · billing'));
  await open.settle();
  cluster.sandbox.clearRequests();
  await open.press('j');
  await open.waitFor('History · callbot');
  await open.settle();
  const lists = cluster.sandbox.requests({ verb: 'list', resource: 'replicasets' });
  expect(lists.map((r) => r.query.labelSelector)).toEqual(['app=callbot']);
});
