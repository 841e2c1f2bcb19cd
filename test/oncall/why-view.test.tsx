/**
 * Issue 15, item 4, in the console: w on a service shows why it fails on one screen — its
 * Deployment's events, its pods (phase, restarts, waiting reason) and the failing container's
 * log, current and previous — at 80 columns; R reads again, Esc goes back. The component alone
 * renders every part from its props.
 */
import { expect, it } from 'vitest';
import type { WorkloadDiagnosis } from '../../source/domain/diagnosis.js';
import { WhyView } from '../../source/ui/components/WhyView.js';
import { writeTenant } from '../ui/fixtures.js';
import { KEYS, renderAlone, renderConsole, sandboxCluster, stopAfterEach, unmountAfterEach, workspace } from '../ui/helpers.js';

const mounted = unmountAfterEach();
const started = stopAfterEach();

const flat = (frame: string) => frame.replace(/[│║┃]/g, ' ').replace(/\s+/g, ' ');

it('w shows the events, the pods and why there is no log of a container that cannot pull its image', async () => {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
  const cluster = started(await sandboxCluster(ws.manifestsDir, ['shop']));
  cluster.sandbox.setFailImage(/:broken$/);
  const open = mounted(await renderConsole(ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 80, rows: 30 } }));
  await open.waitFor((f) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(f));
  const patch = { spec: { template: { spec: { containers: [{ name: 'callbot', image: 'localhost:5000/ecp-ai/callbot:broken' }] } } } };
  await cluster.client.apps.patchNamespacedDeployment(
    { name: 'callbot', namespace: 'shop', body: patch },
    (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/strategic-merge-patch+json'),
  );
  await open.waitFor((f) => /Degraded/.test(f), 10_000);
  await open.press('\t'); // tenants → services
  await open.press('w');
  const frame = await open.waitFor((f) => f.includes('Why · callbot · shop') && f.includes('Log of'), 10_000);
  const text = flat(frame);
  expect(text).toContain('Deployment shop/callbot');
  expect(text).toMatch(/Events, newest first .*Warning Failed Pod\/callbot-\S+: (Failed to pull image|Error: ErrImagePull|Error: ImagePullBackOff)/);
  expect(text).toMatch(/Pods .*callbot-\S+ Pending ready 0\/1 restarts 0 (ErrImagePull|ImagePullBackOff)/);
  expect(text).toMatch(/Log of callbot-\S+\/callbot: logs not available: container "callbot" in pod "callbot-\S+" is waiting to start: trying and failing to pull image \(400\)/);
  // The oldest events are below: the Deployment scaling up its new ReplicaSet.
  await open.press('G');
  expect(flat(await open.waitFor('Normal ScalingReplicaSet'))).toMatch(/Normal ScalingReplicaSet Deployment\/callbot: Scaled up replica set callbot-\w+/);
  await open.press('R');
  await open.waitFor((f) => f.includes('Why · callbot · shop') && f.includes('Log of'), 10_000);
  await open.press(KEYS.escape);
  await open.waitFor((f) => !f.includes('Why ·') && f.includes('Services · shop'));
});

it('says so where no cluster is connected', async () => {
  const ws = workspace({ copySamples: false });
  writeTenant(ws.manifestsDir, 'shop', [{ name: 'callbot', tag: 'v2' }]);
  const open = mounted(await renderConsole(ws.core, { size: { columns: 80, rows: 24 } }));
  await open.waitFor('Services · shop');
  await open.press('\t', 'w');
  await open.waitFor('No cluster is connected: there are no events, pods or logs to read.');
});

const diagnosis: WorkloadDiagnosis = {
  kind: 'Deployment',
  namespace: 'shop',
  name: 'callbot',
  events: [
    { at: '2026-12-01T10:00:01.000Z', type: 'Normal', reason: 'ScalingReplicaSet', object: 'Deployment/callbot', message: 'Scaled up replica set callbot-7d9 from 0 to 1', count: 1 },
    { at: '2026-12-01T10:00:09.000Z', type: 'Warning', reason: 'BackOff', object: 'Pod/callbot-7d9-x2', message: 'Back-off restarting failed container callbot', count: 4 },
  ],
  pods: [{ name: 'callbot-7d9-x2', phase: 'Running', ready: '0/1', restarts: 4, waiting: 'CrashLoopBackOff: back-off 40s restarting failed container' }],
  log: { pod: 'callbot-7d9-x2', container: 'callbot', previous: ['callbot: started', 'fatal: exited with code 1 (Error): no DATABASE_URL'], current: ['callbot: started'] },
};

it('the view alone: events, pods, the previous run and the current log', () => {
  const view = renderAlone(<WhyView service="callbot" tenantId="shop" diagnosis={diagnosis} scroll={0} width={80} height={16} />);
  expect(view.frame()).toMatchInlineSnapshot(`
    "╒═ Why · callbot · shop ═══════════════════════════════════════════════════════╕
    │Deployment shop/callbot                                                       │
    │Pods                                                                          │
    │  callbot-7d9-x2 Running ready 0/1 restarts 4 CrashLoopBackOff: back-off 40s  │
    │    restarting failed container                                               │
    │Log of callbot-7d9-x2/callbot, previous run                                   │
    │  callbot: started                                                            │
    │  fatal: exited with code 1 (Error): no DATABASE_URL                          │
    │Log of callbot-7d9-x2/callbot                                                 │
    │  callbot: started                                                            │
    │Events, newest first                                                          │
    │  10:00:09 Warning BackOff Pod/callbot-7d9-x2: Back-off restarting failed     │
    │    container callbot (x4)                                                    │
    │  10:00:01 Normal ScalingReplicaSet Deployment/callbot: Scaled up replica set │
    │    callbot-7d9 from 0 to 1                                                   │
    └──────────────────────────────────────────────────────────────────────────────┘"
  `);
  view.unmount();
});
