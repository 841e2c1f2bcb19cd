/**
 * Sandbox benchmark: 1 000 Deployments (50 tenants × 20 services). A full list, JSON and as a
 * Table (kubectl's), and one change fanned out to 100 open watches (50 of its namespace's and
 * cluster-wide ones): medians over repeated runs. The tests check what these answer; this
 * measures how fast.
 */
import http from 'node:http';
import { startSandbox } from '../source/sandbox/index.js';

const RUNS = 9;
const sandbox = await startSandbox({ deployments: 1000 });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const list = (query: string, accept = 'application/json') => fetch(`${sandbox.url}/apis/apps/v1/deployments${query}`, { headers: { accept } }).then((r) => r.json());
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** Opens a watch; resolves when it is open with a promise of its first event line. */
function watch(urlPath: string): Promise<{ first: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(sandbox.url + urlPath, (res) => {
      const first = new Promise<void>((done) => res.once('data', () => done()));
      resolve({ first, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

try {
  const json: number[] = [];
  const table: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    json.push(await timed(() => list('')));
    table.push(await timed(() => list('?limit=500', TABLE)));
  }
  const fanOut: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const rv = ((await (await fetch(`${sandbox.url}/apis/apps/v1/namespaces/tenant-07/deployments`)).json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const watches = await Promise.all([
      ...Array.from({ length: 50 }, () => watch(`/apis/apps/v1/namespaces/tenant-07/deployments?watch=1&resourceVersion=${rv}`)),
      ...Array.from({ length: 50 }, () => watch(`/apis/apps/v1/deployments?watch=1&resourceVersion=${rv}`)),
    ]);
    fanOut.push(
      await timed(async () => {
        const patched = fetch(`${sandbox.url}/apis/apps/v1/namespaces/tenant-07/deployments/callbot`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/merge-patch+json' },
          body: JSON.stringify({ metadata: { labels: { run: String(i) } } }),
        });
        await Promise.all([patched, ...watches.map((w) => w.first)]);
      }),
    );
    for (const w of watches) w.close();
  }
  console.log(`full list, JSON:            median ${median(json).toFixed(1)} ms (target < 150 ms, parsing in the client included)`);
  console.log(`full list, Table (limit 500): median ${median(table).toFixed(1)} ms`);
  console.log(`one change to 100 watches:  median ${median(fanOut).toFixed(1)} ms (target < 500 ms)`);
} finally {
  await sandbox.stop();
}
