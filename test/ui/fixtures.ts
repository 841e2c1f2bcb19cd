/** Tenants written as real manifest files, and store records written through the real store. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import type { Core } from '../../source/core.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { startSandbox, type Sandbox } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import type { DeploymentRecord, ImageVersion } from '../../source/domain/types.js';

export interface ServiceSpec {
  name: string;
  tag: string;
  replicas?: number;
}

/** k8s-manifests/<tenant>/services.yaml with one Deployment per service. */
export function writeTenant(manifestsDir: string, tenant: string, services: readonly ServiceSpec[], repositoryPrefix = 'localhost:5000/ecp-ai', namespace = tenant): void {
  const dir = path.join(manifestsDir, tenant);
  mkdirSync(dir, { recursive: true });
  const docs = services.map(
    (s) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s.name}
  namespace: ${namespace}
  labels: {app: ${s.name}}
spec:
  replicas: ${s.replicas ?? 1}
  selector:
    matchLabels: {app: ${s.name}}
  template:
    metadata:
      labels: {app: ${s.name}}
    spec:
      containers:
        - name: ${s.name}
          image: ${repositoryPrefix}/${s.name}:${s.tag}
`,
  );
  writeFileSync(path.join(dir, 'services.yaml'), `# ${tenant}\n${docs.join('---\n')}`);
}

export async function addVersions(core: Core, versions: readonly ImageVersion[]): Promise<void> {
  await core.store.update((data) => {
    data.versions.push(...versions);
  });
}

export async function addDeployments(core: Core, records: readonly DeploymentRecord[]): Promise<void> {
  await core.store.update((data) => {
    data.deployments.push(...records);
  });
}

export function deployRecord(tenant: string, service: string, from: string | undefined, to: string, startedAt: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: `dep-${service}-${Date.parse(startedAt)}`,
    tenantId: tenant,
    namespace: tenant,
    serviceName: service,
    fromImage: from,
    toImage: to,
    kind: 'deploy',
    status: 'succeeded',
    actor: 'operator@example.test',
    startedAt,
    finishedAt: startedAt,
    ...over,
  };
}

/** A sandbox seeded from `manifestsDir`, a client of it, and a live watcher over `namespaces`. */
export async function watchedSandbox(manifestsDir: string, namespaces: readonly string[]): Promise<{ sandbox: Sandbox; client: KubeClient; watcher: LiveStateWatcher; stop(): Promise<void> }> {
  const sandbox = await startSandbox({ seed: manifestsDir, stepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(path.join(tempDir(), 'kubeconfig'));
  const client = new KubeClient(loadCluster({ env: {}, kubeconfig })!);
  const watcher = new LiveStateWatcher(client, { namespaces: () => [...namespaces] });
  await watcher.start();
  return {
    sandbox,
    client,
    watcher,
    async stop() {
      await watcher.stop();
      await sandbox.stop();
    },
  };
}
