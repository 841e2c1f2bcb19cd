/**
 * The fleet view (services × tenants), the `:` command line, the k9s keys (sort, y, tenant
 * numbers) and what the status line says for a key that does nothing: one component with its
 * props, and the whole console over real manifests, a real store and a live snapshot.
 */
import { describe, expect, it } from 'vitest';
import { FleetView } from '../../source/ui/components/FleetView.js';
import { fleetCells } from '../../source/ui/render/fleet-row.js';
import { complete, parseCommand } from '../../source/ui/command-line.js';
import { initialState, type ConsoleState, type TenantView } from '../../source/ui/model/state.js';
import { truncate } from '../../source/ui/text.js';
import { addVersions, writeTenant } from './fixtures.js';
import { deployment, FixedLive, KEYS, renderAlone, renderConsole, snapshot, version, workspace, unmountAfterEach, type RenderedConsole } from './helpers.js';

const IMG = 'localhost:5000/ecp-ai';
const mounted = unmountAfterEach();

/** shop runs callbot v1.10.0 and chatbot; acme runs callbot v1.11.0 (Degraded), edge has no callbot. */
async function fleetConsole(options: { readOnly?: boolean; size?: { columns: number; rows: number } } = {}) {
  const ws = workspace({ copySamples: false, readOnly: options.readOnly });
  writeTenant(ws.manifestsDir, 'shop', [
    { name: 'callbot', tag: 'v1.10.0' },
    { name: 'chatbot', tag: 'v5' },
  ]);
  writeTenant(ws.manifestsDir, 'acme', [{ name: 'callbot', tag: 'v1.11.0' }]);
  writeTenant(ws.manifestsDir, 'edge', [{ name: 'chatbot', tag: 'v5' }]);
  await addVersions(ws.core, [version('callbot', 'v1.10.0'), version('callbot', 'v1.11.0'), version('chatbot', 'v5')]);
  const live = new FixedLive(
    snapshot([
      deployment('shop', 'callbot', `${IMG}/callbot:v1.10.0`),
      deployment('shop', 'chatbot', `${IMG}/chatbot:v5`),
      deployment('acme', 'callbot', `${IMG}/callbot:v1.11.0`, 2, {
        readyReplicas: 0,
        availableReplicas: 0,
        unavailableReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "callbot-1" has timed out progressing.' }],
      }),
      deployment('edge', 'chatbot', `${IMG}/chatbot:v5`),
    ]),
  );
  const c = mounted(await renderConsole(ws.core, { live, size: options.size ?? { columns: 80, rows: 24 } }));
  await c.waitFor((f) => f.includes('Services · acme') && f.includes('v1.11.0'));
  return { ws, live, c };
}

const statusLine = (c: RenderedConsole) => c.frame().trimEnd().split('\n').at(-2)!;

describe('the fleet view', () => {
  it('shows each service × tenant with its version, sync and health, uncut at 80 columns', async () => {
    const { c } = await fleetConsole();
    await c.press('f');
    const frame = await c.waitFor('Fleet · 2 services × 3 tenants');
    const row = (name: string) => frame.split('\n').find((l) => new RegExp(`│[ ›]${name} `).test(l)) ?? '';
    // The tenants in the order of the tenants pane: acme, edge, shop (two fit at 80 columns).
    expect(frame).toMatch(/▸acme\s+edge/);
    expect(row('callbot')).toMatch(/v1\.11\.0\s+= Degraded\s+·/);
    expect(row('chatbot')).toMatch(/·\s+v5\s+= Healthy/);
    expect(frame).toContain('tenants 1-2 of 3 (←→)');
    // → to shop: the window moves, v1.10.0 stays told apart from v1.11.0.
    await c.press(KEYS.right, KEYS.right);
    const moved = await c.waitFor('▸shop');
    expect(moved).toMatch(/callbot\s+·\s+▸v1\.10\.0\s+= Healthy/);
  });

  it('lets the panes keys act on the cell: its tenant and service, and says so for an empty cell', async () => {
    const { c } = await fleetConsole();
    await c.press('f');
    await c.waitFor('Fleet ·');
    // edge has no callbot: a service key says so instead of acting on edge's chatbot.
    await c.press(KEYS.right, 'u');
    await c.waitFor('edge has no callbot: choose a cell with a version.');
    expect(c.handle.store.getState().overlay).toBeUndefined();
    // Down to chatbot in edge: u asks to update edge's chatbot.
    await c.press('j', 'u');
    const state = c.handle.store.getState();
    expect(state.overlay?.kind === 'confirm' || state.jobs.some((j) => j.title === 'update chatbot in edge')).toBe(true);
    expect(state.tenantId).toBe('edge');
    expect(state.serviceByTenant.edge).toBe('chatbot');
    await c.settle();
  });

  it('Enter opens the panes on the cell, Esc goes back, / filters the rows', async () => {
    const { c } = await fleetConsole();
    await c.press('f', '/');
    for (const ch of 'chat') await c.press(ch);
    let frame = await c.waitFor('Fleet · 1 service × 3 tenants');
    expect(frame).not.toMatch(/ callbot /);
    await c.press(KEYS.enter, KEYS.escape);
    frame = await c.waitFor('Fleet · 2 services');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('Fleet ·') && f.includes('Services · acme'));
    await c.press('f', KEYS.right, KEYS.right, 'j', KEYS.enter);
    frame = await c.waitFor((f) => !f.includes('Fleet ·') && f.includes('Services · shop'));
    expect(c.handle.store.getState().serviceByTenant.shop).toBe('chatbot');
    expect(c.handle.store.getState().focus).toBe('services');
    // Esc goes back to the fleet it came from, on the same cell.
    await c.press(KEYS.escape);
    await c.waitFor((f) => f.includes('Fleet ·') && /chatbot\s+v5\s+= Healthy\s+▸v5/.test(f));
  });
});

describe('the fleet filter', () => {
  it('answers "which tenants still run callbot v1.11" in one look: the row stays, other tenants\' cells are muted', async () => {
    const { c } = await fleetConsole({ size: { columns: 120, rows: 30 } });
    await c.press('f', '/');
    for (const ch of 'callbot v1.11') await c.press(ch);
    const frame = await c.waitFor('Fleet · 1 service × 3 tenants');
    const plain = frame;
    expect(plain).toMatch(/callbot\s+▸v1\.11\.0\s+= Degraded\s+·\s+v1\.10\.0\s+= Healthy/);
    expect(plain).not.toMatch(/│[ ›]chatbot /);
    // acme's v1.11.0 in its colour, shop's v1.10.0 muted (grey).
    const { tenants } = c.handle.store.getState();
    const tones = fleetCells('callbot', tenants, tenants[0], true, 'callbot v1.11').map((cell) => cell.tone);
    expect(tones).toEqual([undefined, undefined, 'bad', 'muted', undefined, 'muted', 'muted']);
    await c.press(KEYS.enter, KEYS.escape);
    // A tag no tenant runs leaves no row.
    await c.press('/');
    for (const ch of 'callbot v9') await c.press(ch);
    await c.waitFor('no service matches "callbot v9"');
  });
});

describe('FleetView alone', () => {
  it('renders the rows it is given, the cell line and the legend', () => {
    const row = (tenantId: string, service: string, tag: string, health: 'Healthy' | 'Degraded', sync: 'Synced' | 'OutOfSync' = 'Synced') => ({
      tenantId,
      namespace: tenantId,
      service,
      workload: service,
      workloadKind: 'Deployment' as const,
      workloads: [],
      manifestImage: `${IMG}/${service}:${tag}`,
      manifestTag: tag,
      liveTag: tag,
      sync,
      health,
      healthMessage: '',
      version: 'ready' as const,
      message: health === 'Degraded' ? 'ProgressDeadlineExceeded' : '',
      kind: 'Deployment',
      file: 'services.yaml',
      line: 1,
      containers: [],
    });
    const tenant = (id: string, rows: ReturnType<typeof row>[]): TenantView => ({ id, namespace: id, rows, worst: 'Healthy', yamlErrors: [], protectedNamespaces: [] });
    const tenants = [tenant('acme', [row('acme', 'callbot', 'v1.11.0', 'Degraded')]), tenant('shop', [row('shop', 'callbot', 'v1.10.0', 'Healthy', 'OutOfSync')])];
    const rendered = mounted(renderAlone(<FleetView tenants={tenants} rows={['callbot']} selectedRow={0} selectedTenant={tenants[0]} width={70} height={8} filter="" filterEditing={false} />));
    expect(rendered.frame()).toMatchInlineSnapshot(`
      "╒═ Fleet · 1 service × 2 tenants ══════════════════════════════ 1/1 ═╕
      │ SERVICE       ▸acme                       shop                     │
      │›callbot       ▸v1.11.0     = Degraded     v1.10.0     ≠ Healthy    │
      │                                                                    │
      │                                                                    │
      │callbot in acme: v1.11.0 · Synced · Degraded · ProgressDeadlineExce…│
      │= synced  ≠ out of sync  ∅ missing  ? unknown                       │
      └────────────────────────────────────────────────────────────────────┘"
    `);
  });
});

describe('the : command line', () => {
  const state = (): ConsoleState => ({
    ...initialState({ configured: false, reachable: false }, { label: 'x', phase: 'none' }),
    tenants: ['acme', 'acme-prod', 'shop'].map((id) => ({ id, namespace: id, rows: [], worst: 'Healthy' as const, yamlErrors: [], protectedNamespaces: [] })),
  });

  it('completes the command, then the argument as far as the candidates agree', () => {
    expect(complete('te', state())).toEqual({ text: 'tenant ', candidates: ['tenant'] });
    expect(complete('tenant a', state())).toEqual({ text: 'tenant acme', candidates: ['acme', 'acme-prod'] });
    expect(complete('tenant sh', state()).text).toBe('tenant shop');
    expect(complete('q', state()).candidates).toEqual(['q', 'quit']);
  });

  it('names what is wrong with a command in one sentence', () => {
    expect(parseCommand('flet', state())).toEqual({ problem: expect.stringContaining('There is no command ":flet"; the commands are :tenant, :fleet') });
    expect(parseCommand('tenant nope', state())).toEqual({ problem: 'There is no tenant "nope"; the tenants are acme, acme-prod, shop.' });
    expect(parseCommand('tenant', state())).toEqual({ problem: ':tenant needs a tenant: acme, acme-prod, shop.' });
    expect(parseCommand('fleet now', state())).toEqual({ problem: ':fleet takes no argument ("now").' });
    expect(parseCommand('tenant acme-p', state())).toMatchObject({ argument: 'acme-prod' });
  });

  it('opens on :, completes with Tab, runs on Enter, and closes on Esc', async () => {
    const { c } = await fleetConsole();
    await c.press(':', 't', KEYS.tab);
    await c.waitFor((f) => f.trimEnd().split('\n').at(-2)!.startsWith(':tenant'));
    for (const ch of 'sh') await c.press(ch);
    await c.press(KEYS.tab, KEYS.enter);
    await c.waitFor('Services · shop');
    expect(c.handle.store.getState().command).toBeUndefined();
    await c.press(':', 'f', 'l', KEYS.enter);
    await c.waitFor('Fleet ·');
    await c.press(':', 'x', KEYS.enter);
    await c.waitFor('There is no command ":x"');
    await c.press(':', KEYS.escape);
    await c.waitFor(() => !statusLine(c).startsWith(':'));
    await c.press(':', 'q', KEYS.enter);
    expect(c.exited()).toBe(true);
  });
});

describe('k9s keys', () => {
  it('sorts the services by name, sync, health and age; the same key again reverses', async () => {
    const { c } = await fleetConsole({ size: { columns: 100, rows: 30 } });
    await c.press('3');
    await c.waitFor('Services · shop');
    const order = () =>
      c.handle.store
        .getState()
        .tenants.find((t) => t.id === 'shop')!
        .rows.map((r) => r.service);
    expect(order()).toEqual(['callbot', 'chatbot']);
    const shown = () => [...c.frame().matchAll(/│[› ](callbot|chatbot) +v/g)].map((m) => m[1]);
    await c.press('N', 'N');
    await c.waitFor(() => shown().join() === 'chatbot,callbot');
    await c.press('N');
    await c.waitFor(() => shown().join() === 'callbot,chatbot');
  });

  it('y shows the live object as YAML without its managed fields', async () => {
    const { c, live } = await fleetConsole({ size: { columns: 100, rows: 30 } });
    const d = live.current.deployments.get('acme/callbot')!;
    (d.metadata as Record<string, unknown>).managedFields = [{ manager: 'kubectl-set', operation: 'Update' }];
    await c.press('y');
    const frame = await c.waitFor('YAML · Deployment acme/callbot (live)');
    expect(frame).toContain('image: localhost:5000/ecp-ai/callbot:v1.11.0');
    expect(frame).not.toContain('kubectl-set');
    await c.press(KEYS.escape);
    await c.waitFor((f) => !f.includes('YAML ·'));
  });

  it('chooses the tenant by its number', async () => {
    const { c } = await fleetConsole();
    await c.press('2');
    await c.waitFor('Services · edge');
    await c.press('9');
    await c.waitFor('There is no tenant 9; 3 are listed.');
  });

  it('says in the status line why a key does nothing: another pane, read-only mode, or nothing at all', async () => {
    const { c } = await fleetConsole();
    await c.press(KEYS.tab, KEYS.tab, KEYS.tab); // services → history → log → tenants
    await c.press('u');
    await c.waitFor(() => statusLine(c) === 'u (update) works in the services and history panes.');
    await c.press('z');
    await c.waitFor(() => statusLine(c) === 'z does nothing in every pane; ? lists the keys.');
    c.unmount();
    const readOnly = await fleetConsole({ readOnly: true });
    await readOnly.c.press('b');
    await readOnly.c.waitFor(() => statusLine(readOnly.c) === 'b (build) changes things: off in read-only mode.');
  });
});

describe('tags cut in one way', () => {
  it('keeps the version numbers whole, so v1.10.0 and v1.11.0 never read the same', () => {
    expect(truncate('v1.10.0-abc1234', 10, 'tag')).toBe('v1.10.0…34');
    expect(truncate('v1.11.0-abc1234', 10, 'tag')).toBe('v1.11.0…34');
    expect(truncate('release-v1.10.0-abc1234', 9, 'tag')).toBe('…1.10.0…4');
    expect(truncate('release-v1.11.0-abc1234', 8, 'tag')).toBe('…1.11.0…');
    // The middle cut of before: the two became one text.
    expect(truncate('release-v1.10.0-abc1234', 9, 'middle')).toBe(truncate('release-v1.11.0-abc1234', 9, 'middle'));
    expect(truncate('abc1234def5678', 9, 'tag')).toBe('abc1…5678');
    // Tags of one version differ at their end (a build number, rc2, a commit): the end stays.
    expect(truncate('v1.0.0-seed01', 10, 'tag')).toBe('v1.0.0…d01');
    expect(truncate('v1.0.0-seed02', 10, 'tag')).toBe('v1.0.0…d02');
    expect(truncate('v1.2.0-rc1', 9, 'tag')).not.toBe(truncate('v1.2.0-rc2', 9, 'tag'));
    // A change cuts each side that way (the deployments table's FROM → TO).
    expect(truncate('release-v1.10.0-abc1234 → release-v1.11.0-abc1234', 21, 'change')).toBe('…1.10.0…4 → …1.11.0…4');
    expect(truncate('v1.10.0-abc1234 → v1.11.0-abc1234', 23, 'change')).toBe('v1.10.0…34 → v1.11.0…34');
  });
});

describe('/ in every pane', () => {
  it('filters the list of the pane it is pressed in: tenants, history, log; Esc clears it', async () => {
    const { c } = await fleetConsole({ size: { columns: 100, rows: 30 } });
    // Tenants: acme, edge, shop → "sh" leaves shop, selected.
    await c.press(KEYS.tab, KEYS.tab, KEYS.tab, '/', 's', 'h');
    let frame = await c.waitFor((f) => f.includes('Services · shop') && f.includes('/sh_'));
    expect(frame).not.toMatch(/│[ ›][✓✗◌≠?] edge/);
    await c.press(KEYS.enter, KEYS.escape);
    await c.waitFor((f) => /│[ ›][✓✗◌≠?] edge/.test(f));
    // History of shop/callbot: v1.11.0 and v1.10.0 → "1.11" leaves one; r takes the one under the cursor.
    await c.press('3', KEYS.tab, KEYS.tab, '/');
    for (const ch of '1.11') await c.press(ch);
    frame = await c.waitFor((f) => f.includes('/1.11_') && f.includes('1/1'));
    expect(frame).not.toMatch(/│[ ›][●◆ ] v1\.10\.0 /);
    expect(c.handle.store.getState().historyIndex).toBe(0);
    await c.press(KEYS.enter, KEYS.escape);
    // The log: two jobs, one matches.
    for (const title of ['validate acme', 'validate shop']) c.handle.jobs.run({ action: 'validate', title, tenantId: 'x', work: async () => ({ ok: true, summary: 'fine' }) });
    await c.settle();
    await c.press(KEYS.tab, '/');
    for (const ch of 'acme') await c.press(ch);
    frame = await c.waitFor((f) => f.includes('/acme_') && f.includes('validate acme'));
    expect(frame).not.toMatch(/│[ ›]✓ validate shop/);
  });
});
