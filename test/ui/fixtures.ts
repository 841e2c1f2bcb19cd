/** Tenants written as real manifest files, and store records written through the real store. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Core } from '../../source/core.js';
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
