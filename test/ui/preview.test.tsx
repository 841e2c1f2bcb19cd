/**
 * What would change, before it changes (issue 15 item 5): the confirm steps name old → new tags
 * and show the manifest diff from the pipeline's dry run; Tab opens the whole diff, Esc comes
 * back to the step. Nothing is written until the step is confirmed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangePreview } from '../../source/ui/components/ChangePreview.js';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderAlone, renderConsole, snapshot, version, workspace, unmountAfterEach, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
const mounted = unmountAfterEach();

describe('the confirm step of an update', () => {
  it('names v1 → v2 and shows the diff; Tab opens the whole diff and Esc comes back; nothing is written', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'acme-prod', [{ name: 'callbot', tag: 'v1.10.0' }]);
    const hour = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    await addVersions(ws.core, [version('callbot', 'v1.10.0', { createdAt: hour(5) }), version('callbot', 'v1.11.0', { createdAt: hour(1) })]);
    const c = mounted(await renderConsole(ws.core, { live: new FixedLive(snapshot([deployment('acme-prod', 'callbot', `${IMG}/callbot:v1.10.0`)])), size: { columns: 100, rows: 30 } }));
    await c.waitFor('Services · acme-prod');
    const file = path.join(ws.manifestsDir, 'acme-prod', 'services.yaml');
    const before = readFileSync(file, 'utf8');
    await c.press('u');
    let frame = await c.waitFor('callbot v1.10.0 → v1.11.0');
    expect(frame).toContain(`-          image: ${IMG}/callbot:v1.10.0`);
    expect(frame).toContain(`+          image: ${IMG}/callbot:v1.11.0`);
    expect(frame).toContain('Tab: the full diff');
    for (const ch of 'acme') await c.press(ch);
    await c.press(KEYS.tab);
    frame = await c.waitFor('Manifest diff (what the step would write)');
    expect(frame).toContain('@@');
    await c.press(KEYS.escape);
    // Back in the step, with what was typed.
    frame = await c.waitFor((f) => f.includes('Type acme-prod to confirm') && f.includes('> acme'));
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('ChangePreview alone', () => {
  it('says it is reading, then the changes and the changed lines only, or why it could not', () => {
    const frame = (preview: Parameters<typeof ChangePreview>[0]['preview']) => {
      const rendered = mounted(renderAlone(<ChangePreview preview={preview} rows={3} fullKey="Tab" />));
      const text = rendered.frame();
      rendered.unmount();
      return text;
    };
    expect(frame({ state: 'loading' })).toBe('reading what the manifests would become…');
    expect(frame({ state: 'failed', error: 'Tenant "x" has no services.yaml.' })).toBe('What the manifests would become could not be read: Tenant "x" has no services.yaml.');
    const diff = ['--- a/shop/services.yaml', '+++ b/shop/services.yaml', '@@ -1,3 +1,3 @@', ' kind: Deployment', '-  image: r/callbot:v2', '+  image: r/callbot:v1'];
    expect(frame({ state: 'ready', changes: ['callbot v2 → v1'], skipped: [], diff })).toBe(
      ['  callbot v2 → v1', '  -  image: r/callbot:v2', '  +  image: r/callbot:v1', '  Tab: the full diff'].join('\n'),
    );
  });
});

describe('c: manifest vs live', () => {
  it('names the field that differs and who set it (kubectl set image), over the sandbox; nothing changes', async () => {
    const { PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
    const { sandboxCluster } = await import('./helpers.js');
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
    await addVersions(ws.core, [version('callbot', 'v1'), version('callbot', 'v2')]);
    const cluster = await sandboxCluster(ws.manifestsDir, ['shop']);
    let c: RenderedConsole | undefined;
    try {
      // What `kubectl set image deployment/callbot callbot=…:v2` sends.
      const body = { spec: { template: { spec: { containers: [{ name: 'callbot', image: `${IMG}/callbot:v2` }] } } } };
      await cluster.client.apps.patchNamespacedDeployment(
        { name: 'callbot', namespace: 'shop', body, fieldManager: 'kubectl-set' },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      c = mounted(await renderConsole(ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 120, rows: 30 } }));
      await c.waitFor((f) => /callbot\s+v1\s+v2\s+OutOfSync/.test(f));
      await c.press('c');
      const frame = await c.waitFor('Diff · manifest vs live · Deployment shop/callbot');
      expect(frame).toContain('1 field differs from the manifest');
      expect(frame).toContain('spec.template.spec.containers[callbot].image');
      expect(frame).toMatch(new RegExp(`live\\s+${IMG}/callbot:v2\\s+\\(set by kubectl-set \\(Update\\)\\)`));
      expect(frame).toMatch(new RegExp(`manifest\\s+${IMG}/callbot:v1`));
      const live = await cluster.client.readDeployment('shop', 'callbot');
      expect(live?.spec?.template?.spec?.containers?.[0]?.image).toBe(`${IMG}/callbot:v2`);
    } finally {
      // Before the cluster it watches stops.
      c?.unmount();
      await cluster.stop();
    }
  });
});
