/** The console bench's tenant (bench/console.ts): one namespace `big` of 1 000 one-replica Deployments. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BIG_TENANT_SERVICES = 1000;

/** Writes k8s-manifests/big/services.yaml under `manifestsDir`; returns the service names. */
export function writeBigTenant(manifestsDir: string): string[] {
  const names = Array.from({ length: BIG_TENANT_SERVICES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  mkdirSync(path.join(manifestsDir, 'big'), { recursive: true });
  const doc = (name: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: big\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: ${name}\n          image: localhost:5000/ecp-ai/${name}:v9\n`;
  writeFileSync(path.join(manifestsDir, 'big', 'services.yaml'), names.map(doc).join('---\n'));
  return names;
}
