/**
 * Words found wrong walking the console at 80×24 (issue 15, item 5): the history pane's title
 * was cut to "History · call…" for its legend, and the help named views twice ("confirm,
 * confirm") with commas inside their names ("confirm, protected namespace"), a text of one line
 * said "1 lines", and "r works in the services and history panes" stayed on the status line
 * under the rollback dialog r then opened; the details said "Deployments (2)" over one row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DetailsView } from '../../source/ui/components/DetailsView.js';
import { HistoryPane } from '../../source/ui/components/HistoryPane.js';
import { TextView } from '../../source/ui/components/TextView.js';
import type { HistoryState, ServiceView } from '../../source/ui/model/state.js';
import { keyMode } from '../../source/ui/context.js';
import { monitorTitle } from '../../source/ui/index.js';
import { helpRows } from '../../source/ui/render/help-row.js';
import { deployRecord, writeTenant } from './fixtures.js';
import { deployment, FixedLive, renderAlone, renderConsole, snapshot, version, workspace } from './helpers.js';

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function alone(element: React.ReactElement): string {
  const rendered = renderAlone(element);
  unmount = rendered.unmount;
  return rendered.frame();
}

const versions = ['v1', 'v2', 'v3'].map((tag) => version('callbot', tag));
const history = (service: string): HistoryState => ({ tenantId: 'shop', service, versions, deployments: [], loading: false });
const row = (service: string) => ({ tenantId: 'shop', service, liveImage: versions[0]!.fullImageName, manifestImage: versions[0]!.fullImageName }) as ServiceView;

describe('the history pane at 80 columns', () => {
  it("keeps the service's name whole: its legend shrinks, then goes", () => {
    for (const [service, legend] of [
      ['callbot', '●live ◆manifest · 1/3'],
      ['a-longer-service', '1/3'],
    ] as const) {
      const frame = alone(
        <HistoryPane history={history(service)} versions={versions} filter="" service={row(service)} selected={0} focused={false} width={46} height={6} visible={3} now={Date.now()} />,
      );
      const top = frame.split('\n')[0]!;
      expect(top).toContain(` History · ${service} `);
      expect(top).toContain(` ${legend} `);
    }
  });
});

describe('the help', () => {
  it('names each view once per key, and no view name holds a comma', () => {
    for (const mode of [keyMode(false, false, true), keyMode(true, true, false)]) {
      for (const row of helpRows(mode)) {
        const views = row.where.split(', ');
        expect(new Set(views).size, `${row.keys}: ${row.where}`).toBe(views.length);
      }
    }
    const tab = helpRows(keyMode(false, false, true)).find((r) => r.keys === 'Tab' && r.what.includes('manifest diff'));
    expect(tab?.where).toBe('confirm, confirm (tenant id), rollback 2 reason, rollback 3 confirm, rollback 3 confirm (tenant id)');
  });
});

describe('counts', () => {
  it('say "1 line", not "1 lines"', () => {
    const frame = alone(<TextView title="Diff · manifest vs live" lines={['Deployment shop/callbot matches its manifest.']} top={0} width={60} height={6} />);
    expect(frame).toContain(' 1 line ');
    expect(frame).not.toContain('1 lines');
  });
});

describe('what a key that did nothing said', () => {
  it('goes with the next key that works (it stayed under the rollback dialog r then opened)', async () => {
    const ws = workspace({ copySamples: false });
    writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
    const live = new FixedLive(snapshot([deployment('shop', 'callbot', 'localhost:5000/ecp-ai/callbot:v2', 1)]));
    const c = await renderConsole(ws.core, { live });
    unmount = () => c.unmount();
    await c.waitFor('Services · shop');
    await c.press('\t', '\t', 'w');
    await c.waitFor('w (why) works in the services and history panes.');
    await c.press('\t', '\t');
    await c.waitFor((f) => f.includes('╒═ Services · shop') && !f.includes('works in the services'));
  });
});

describe("the monitor's entry in the log", () => {
  it('says there is no auto-rollback rather than "auto-rollback for no service"', () => {
    const { config } = workspace({ copySamples: false });
    expect(monitorTitle({ ...config, autoRollback: { ...config.autoRollback, services: [] }, monitorIntervalSeconds: 30 })).toBe(
      'monitor · no auto-rollback (autoRollback.services is empty) · every 30s',
    );
    expect(monitorTitle({ ...config, autoRollback: { ...config.autoRollback, services: ['callbot', 'chatbot'] }, monitorIntervalSeconds: 30 })).toBe(
      'monitor · auto-rollback for callbot, chatbot · every 30s',
    );
  });
});

describe('the details view at 80×24', () => {
  it('says how many of the deployments it shows when they do not all fit', () => {
    const records = [1, 2, 3, 4].map((h) =>
      deployRecord('shop', 'callbot', 'localhost:5000/ecp-ai/callbot:v1', 'localhost:5000/ecp-ai/callbot:v2', new Date(Date.now() - h * 3_600_000).toISOString(), { id: `d${h}` }),
    );
    const service = {
      ...row('callbot'),
      kind: 'Deployment',
      namespace: 'shop',
      workload: 'callbot',
      workloads: [],
      file: 'shop/services.yaml',
      line: 3,
      containers: [{ name: 'callbot', image: 'localhost:5000/ecp-ai/callbot:v2', own: true }],
      liveContainers: [],
      sync: 'Synced',
      health: 'Healthy',
      healthMessage: '',
      message: '',
      version: 'ready',
      manifestTag: 'v2',
      liveTag: 'v2',
    } as ServiceView;
    const frame = alone(<DetailsView service={service} deployments={records} width={80} height={16} now={Date.now()} />);
    const shown = frame.split('\n').filter((l) => / deploy /.test(l)).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(4);
    expect(frame).toContain(`Deployments: newest ${shown} of 4 (more: ecp history shop --service callbot)`);
  });
});
