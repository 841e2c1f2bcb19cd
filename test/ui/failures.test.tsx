/**
 * Failures readable at 80 columns (issue 15 item 3): a failed step's whole error in the output
 * view, the status line saying where the rest is instead of only cutting, health messages
 * wrapped in the details, tenant names and Degraded never cut for a state word.
 */
import { describe, expect, it } from 'vitest';
import { DetailsView } from '../../source/ui/components/DetailsView.js';
import { TenantsPane } from '../../source/ui/components/TenantsPane.js';
import type { ServiceView, TenantView } from '../../source/ui/model/state.js';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderAlone, renderConsole, snapshot, version, workspace, unmountAfterEach, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
const REGISTRY_DOWN = 'Registry localhost:5000 cannot be reached (connect ECONNREFUSED 127.0.0.1:5000): the image localhost:5000/ecp-ai/callbot:v1 could not be checked.';
const mounted = unmountAfterEach();

const statusLine = (c: RenderedConsole) => c.frame().trimEnd().split('\n').at(-2)!;

describe('a failed job at 80 columns', () => {
  it('says in the status line where the rest is, and shows the whole error wrapped in the output (l, or Enter on the job)', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v1' }]);
    await addVersions(ws.core, [version('callbot', 'v1')]);
    const c = mounted(await renderConsole(ws.core, { live: new FixedLive(snapshot([deployment('shop', 'callbot', `${IMG}/callbot:v1`)])), size: { columns: 80, rows: 24 } }));
    await c.waitFor('Services · shop');
    c.handle.jobs.run({
      action: 'rollback',
      title: 'roll back callbot in shop',
      tenantId: 'shop',
      work: async () => {
        throw new Error(REGISTRY_DOWN);
      },
    });
    await c.settle();
    await c.waitFor(() => statusLine(c).endsWith(' · l for details'));
    expect(statusLine(c).length).toBeLessThanOrEqual(80);
    expect(statusLine(c)).toMatch(/^✗ roll back callbot in shop: Registry localhost:5000 cannot/);
    await c.press('l');
    const frame = await c.waitFor('Output · roll back callbot in shop');
    expect(frame).not.toContain('no output');
    // Every word of the error is on screen, wrapped over lines.
    const text = frame.replace(/[│\s]+/g, ' ');
    expect(text).toContain(REGISTRY_DOWN.replace(/\s+/g, ' ').slice(0, 60));
    expect(text).toContain('could not be checked.');
    await c.press(KEYS.escape);
    // Enter on the job row of the log opens the same.
    await c.press(KEYS.tab, KEYS.tab, 'g', KEYS.enter);
    await c.waitFor('Output · roll back callbot in shop');
  });
});

const service = (over: Partial<ServiceView>): ServiceView => ({
  tenantId: 'shop',
  namespace: 'shop',
  service: 'callbot',
  workload: 'callbot',
  workloadKind: 'Deployment',
  workloads: [],
  manifestImage: `${IMG}/callbot:v2`,
  manifestTag: 'v2',
  liveImage: `${IMG}/callbot:v2`,
  liveTag: 'v2',
  sync: 'Synced',
  health: 'Degraded',
  healthMessage: '',
  version: 'ready',
  message: '',
  kind: 'Deployment',
  file: 'shop/services.yaml',
  line: 1,
  containers: [],
  liveContainers: [],
  ...over,
});

describe('DetailsView', () => {
  it('wraps the health message instead of cutting it, and does not repeat it as a problem', () => {
    const health = 'Deployment shop/callbot exceeded its progress deadline: ReplicaSet "callbot-7d9f" has timed out progressing; 0 of 2 replicas are available';
    const rendered = mounted(renderAlone(<DetailsView service={service({ healthMessage: health, message: health })} deployments={[]} width={70} height={24} now={0} />));
    const frame = rendered.frame();
    expect(frame.replace(/[│\s]+/g, ' ')).toContain('0 of 2 replicas are available');
    expect(frame.split('exceeded its')).toHaveLength(2);
    expect(frame).not.toMatch(/problems\s+Deployment/);
  });
});

describe('TenantsPane', () => {
  it('leaves the state word out before it cuts a tenant name, and never cuts Degraded', () => {
    const tenant = (id: string, worst: TenantView['worst']): TenantView => ({ id, namespace: id, rows: [], worst, yamlErrors: [], protectedNamespaces: [] });
    const tenants = [tenant('acme-production-eu', 'Degraded'), tenant('shop', 'Healthy')];
    for (const width of [26, 30, 34]) {
      const rendered = mounted(renderAlone(<TenantsPane tenants={tenants} selected={0} focused width={width} height={6} visible={3} loaded />));
      const frame = rendered.frame();
      rendered.unmount();
      expect(frame, `width ${width}`).toContain('acme-production-eu');
      expect(frame, `width ${width}`).not.toMatch(/Degr…|Degra…|Degrad…|Degrade…/);
    }
  });
});
