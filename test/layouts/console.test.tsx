/**
 * Issue 20 in the console: a service run by several workloads shows, in its row and its details,
 * the workload its state is of (the worst), with that workload's file, line and containers.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import type { LiveStatefulSet } from '../../source/domain/health.js';
import type { LiveDeployment } from '../../source/domain/kube-types.js';
import type { LiveSnapshot } from '../../source/domain/status.js';
import { readTenants } from '../../source/monitor/status-view.js';
import { DetailsView } from '../../source/ui/components/DetailsView.js';
import { readTenantViews } from '../../source/ui/model/console-data.js';
import { repoRoot } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { renderAlone } from '../ui/helpers.js';

type Live = LiveDeployment & LiveStatefulSet & { kind: string };

/** The fixture's workloads as a cluster that rolled them all out would hold them. */
function liveObjects(file: string): Live[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as Live)
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => ({
      ...o,
      metadata: { ...o.metadata, namespace: 'argocd', generation: 1 },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' },
    }));
}

describe('the console, for a service run by seven workloads', () => {
  it('names the workload of the row and shows its own containers, live and in the manifest', async () => {
    const dir = tempDir();
    cpSync(path.join(repoRoot, 'test/fixtures/layouts/argocd'), path.join(dir, 'k8s-manifests/argocd'), { recursive: true });
    writeFileSync(path.join(dir, 'ecp.config.yaml'), `registry: quay.io\nimagePrefix: argoproj\ndataDir: ${path.join(dir, 'data')}\n`);
    await registerImages(path.join(dir, 'data'), ['quay.io/argoproj/argocd:v2.13.0']);
    const core = createCore(loadConfig({ cwd: dir, env: {} }));
    const objects = liveObjects(path.join(dir, 'k8s-manifests/argocd/install.yaml'));
    const controller = objects.find((o) => o.metadata?.name === 'argocd-application-controller')!;
    controller.spec!.template!.spec!.containers![0]!.image = 'quay.io/argoproj/argocd:v2.13.0-hand';
    const key = (o: Live) => `argocd/${o.metadata!.name}`;
    const live: LiveSnapshot = {
      reachable: true,
      lastGoodAt: Date.now(),
      deployments: new Map(objects.filter((o) => o.kind === 'Deployment').map((o) => [key(o), o])),
      statefulSets: new Map(objects.filter((o) => o.kind === 'StatefulSet').map((o) => [key(o), o])),
      pods: new Map(),
    };
    const [view] = await readTenantViews(core, await readTenants(core), live, Date.now());
    const row = view!.rows[0]!;
    expect(row).toMatchObject({ service: 'argocd', sync: 'OutOfSync', workload: 'argocd-application-controller', kind: 'StatefulSet', file: 'argocd/install.yaml', line: 347 });
    expect(row.liveContainers).toEqual([{ name: 'argocd-application-controller', image: 'quay.io/argoproj/argocd:v2.13.0-hand' }]);

    const rendered = renderAlone(<DetailsView service={row} deployments={[]} width={160} height={30} now={Date.now()} />);
    const frame = rendered.frame();
    rendered.unmount();
    expect(frame).toContain('StatefulSet argocd/argocd-application-controller  (the worst of 7 workloads: argocd-applicationset-controller, argocd-dex-server,');
    expect(frame).toContain('argocd-application-controller: quay.io/argoproj/argocd:v2.13.0  [service image]');
    expect(frame).toContain('argocd-application-controller: quay.io/argoproj/argocd:v2.13.0-hand');

    // The dex server's details show its argocd init container as the service's, dex as not.
    const dex = objects.find((o) => o.metadata?.name === 'argocd-dex-server')!;
    dex.spec!.template!.spec!.initContainers![0]!.image = 'quay.io/argoproj/argocd:v2.12.0';
    controller.spec!.template!.spec!.containers![0]!.image = 'quay.io/argoproj/argocd:v2.13.0';
    const [again] = await readTenantViews(core, await readTenants(core), live, Date.now());
    expect(again!.rows[0]).toMatchObject({ workload: 'argocd-dex-server', liveTag: 'v2.12.0' });
    expect(again!.rows[0]!.containers).toEqual([
      { name: 'dex', image: 'ghcr.io/dexidp/dex:v2.41.1', own: false },
      { name: 'copyutil (init)', image: 'quay.io/argoproj/argocd:v2.13.0', own: true },
    ]);
  });
});
