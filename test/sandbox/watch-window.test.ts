/**
 * The sandbox's watch window, where a client resumes from: a resourceVersion still in the
 * window (the window's own start included) replays what came after it; one older gets an ERROR
 * event carrying a 410 Expired Status (after a 200, as kube-apiserver sends it), so a client
 * knows to list again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../source/sandbox/index.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

type WatchEvent = { type: string; object: { code?: number; message?: string; metadata: { name: string; resourceVersion: string } } };

async function watchFrom(url: string, rv: number): Promise<{ status: number; first?: WatchEvent; body?: string }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { signal: controller.signal });
  if (response.status !== 200) return { status: response.status, body: await response.text() };
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return { status: 200, first: JSON.parse(text.slice(0, text.indexOf('\n'))) };
}

describe('sandbox watch window', () => {
  it('resumes from the window start, and answers 410 one resourceVersion before it', async () => {
    sandbox = await startSandbox({ rollouts: false, eventWindow: 4 });
    const post = (name: string) =>
      fetch(`${sandbox!.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } }),
      }).then(async (r) => (await r.json()) as { metadata: { resourceVersion: string } });
    const created = [];
    for (let i = 1; i <= 12; i += 1) created.push(await post(`cm-${i}`));
    const rvs = created.map((c) => Number(c.metadata.resourceVersion));

    const tooOld = await watchFrom(sandbox.url, 1);
    expect(tooOld).toMatchObject({ status: 200, first: { type: 'ERROR', object: { code: 410 } } });
    const start = Number(/too old resource version: 1 \((\d+)\)/.exec(tooOld.first?.object.message ?? '')?.[1]);
    expect(rvs).toContain(start); // the window starts at one of the writes, not before them all

    const resumed = await watchFrom(sandbox.url, start);
    expect(resumed.status).toBe(200);
    const next = rvs[rvs.indexOf(start) + 1]!;
    expect(resumed.first).toMatchObject({ type: 'ADDED', object: { metadata: { resourceVersion: String(next) } } });
    expect((await watchFrom(sandbox.url, start - 1)).first).toMatchObject({ type: 'ERROR', object: { code: 410 } });
    expect((await watchFrom(sandbox.url, start)).first?.type).toBe('ADDED');
  });
});
