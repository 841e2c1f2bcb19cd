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

/** The first `count` events of a watch (it is then closed), or the reply of a watch refused outright. */
async function watchEvents(url: string, count: number): Promise<{ status: number; events: WatchEvent[]; body?: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status !== 200) return { status: response.status, events: [], body: await response.text() };
  const reader = response.body!.getReader();
  let text = '';
  while (text.split('\n').length <= count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  const lines = text.split('\n').filter(Boolean).slice(0, count);
  return { status: 200, events: lines.map((line) => JSON.parse(line) as WatchEvent) };
}

async function watchFrom(url: string, rv: number): Promise<{ status: number; first?: WatchEvent; body?: string }> {
  const { status, events, body } = await watchEvents(`${url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, 1);
  return { status, first: events[0], body };
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

describe('sandbox watch window after seeding', () => {
  it('starts where the sandbox starts serving: a seeded resourceVersion is Expired, every later change is replayed', async () => {
    sandbox = await startSandbox({ deployments: 2, rollouts: false });
    const seeded = (await (await fetch(`${sandbox.url}/apis/apps/v1/namespaces/tenant-01/deployments/callbot`)).json()) as { metadata: { resourceVersion: string } };
    const list = (await (await fetch(`${sandbox.url}/apis/apps/v1/deployments`)).json()) as { metadata: { resourceVersion: string } };
    expect(Number(seeded.metadata.resourceVersion)).toBeLessThan(Number(list.metadata.resourceVersion));
    const fromSeed = await watchEvents(`${sandbox.url}/apis/apps/v1/deployments?watch=true&resourceVersion=${seeded.metadata.resourceVersion}`, 1);
    expect(fromSeed.events).toMatchObject([{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }]);

    for (const [i, name] of ['callbot', 'chatbot'].entries()) {
      await fetch(`${sandbox.url}/apis/apps/v1/namespaces/tenant-01/deployments/${name}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels: { step: String(i) } } }),
      });
    }
    const { events } = await watchEvents(`${sandbox.url}/apis/apps/v1/deployments?watch=true&resourceVersion=${list.metadata.resourceVersion}`, 2);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['MODIFIED', 'callbot'],
      ['MODIFIED', 'chatbot'],
    ]);
  });
});
