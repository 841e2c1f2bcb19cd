/**
 * Issue 15, item 2, in the console: while live state cannot be refreshed, the header says how old
 * the last good data is and that ecp retries — before the (shortened) error, and never
 * "refreshed …s ago". 80 columns, as an operator's split terminal.
 */
import { afterEach, expect, it } from 'vitest';
import { writeTenant } from '../ui/fixtures.js';
import { deployment, FixedLive, renderConsole, snapshot, workspace, type RenderedConsole } from '../ui/helpers.js';

let open: RenderedConsole | undefined;
afterEach(() => {
  open?.unmount();
  open = undefined;
});

it('says "last good data 2m ago · retrying" before the shortened error, and nothing fresh', async () => {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
  const good = snapshot([deployment('shop', 'callbot', 'localhost:5000/ecp-ai/callbot:v2', 1)]);
  const live = new FixedLive(good);
  open = await renderConsole(ws.core, { live, size: { columns: 80, rows: 24 } });
  await open.waitFor(/refreshed (just now|\d+s ago)/);
  const error = 'The Kubernetes API at context kube-env (https://127.0.0.1:6443) did not answer within 10 s (listing deployments).';
  live.set({ ...good, reachable: false, lastGoodAt: Date.now() - 120_000, error });
  const frame = await open.waitFor((f) => /Unknown\s+Unknown/.test(f));
  const status = frame.split('\n')[1]!;
  expect(status.startsWith('last good data 2m ago · retrying · API did not answer within 10 s')).toBe(true);
  expect(frame).not.toMatch(/refreshed/);
  // The whole error is still there for the service itself.
  expect(open.handle.store.getState().tenants[0]!.rows[0]!.message).toBe(`cluster unreachable (${error}); last good read 2m ago`);
});
