/**
 * The console and the monitor follow the team store (issue 16): another operator's change reaches
 * them through a watch on the head object, not the next refresh (here an hour away).
 */
import { beforeAll, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import type { Approval } from '../../source/domain/types.js';
import { Monitor } from '../../source/monitor/monitor.js';
import type { KubeStore } from '../../source/store/kubernetes/store.js';
import { ConsoleData } from '../../source/ui/model/console-data.js';
import { initialState } from '../../source/ui/model/state.js';
import { createConsoleStore } from '../../source/ui/model/store.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { openTeamStore, sharedTarget, storeNamespace, teamCore } from '../helpers/team-store.js';
import { waitUntil } from '../helpers/wait.js';

const HOUR = 3_600_000;

/** A core on the team store, with the repository's tenants as its manifests. */
const coreOf = (store: KubeStore) => teamCore(store, 'ops@example.com', { manifests: true });

const approval = (id: string): Approval => ({
  id,
  action: 'deploy',
  tenantId: 'acme',
  namespace: 'acme-prod',
  images: { callbot: 'v2' },
  requestedBy: 'ops@example.com',
  requestedAt: new Date().toISOString(),
  status: 'pending',
});

describeTargets('the console and the monitor follow the team store', (kind) => {
  const target = sharedTarget(kind);
  let namespace: string;
  beforeAll(async () => {
    namespace = await storeNamespace(target);
  });

  it('redraws the console on another operator’s approval, and runs a monitor pass on another operator’s change', async () => {
    const other = openTeamStore(target, namespace);
    const store = createConsoleStore(initialState({ configured: false, reachable: false }, { label: 'no cluster', phase: 'none' }));
    const data = new ConsoleData(coreOf(openTeamStore(target, namespace)), store, undefined, { intervalMs: HOUR, settleMs: 20 });
    let passes = 0;
    const monitor = new Monitor(coreOf(openTeamStore(target, namespace)), new KubeClient(loadCluster({ env: {}, kubeconfig: target.kubeconfig })!), {
      readLive: async () => {
        passes++;
        return { reachable: true, deployments: new Map(), pods: new Map(), unreadable: new Map() } as never;
      },
    });
    data.start();
    monitor.start(HOUR);
    try {
      await waitUntil(() => store.getState().loaded && passes >= 1, 'the console and the monitor read once');
      const before = passes;
      await other.update((d) => void d.approvals.push(approval('appr-1')));
      await waitUntil(() => store.getState().approvals.some((a) => a.id === 'appr-1'), 'the console shows the other operator’s approval');
      await waitUntil(() => passes > before, 'the monitor ran a pass after the other operator’s change');
    } finally {
      data.stop();
      monitor.stop();
    }
  }, 60_000);
});
