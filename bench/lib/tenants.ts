/**
 * The tenants the live-state benchmarks use: the sandbox's own generated Deployments
 * (`startSandbox({ deployments })`: 20 services per tenant), written as the k8s-manifests/<tenant>/
 * folders ecp reads, so the sandbox, the real control plane and ecp all see the same objects;
 * their images registered ready in ecp's store, so an `ecp --once` over them is all good.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { deployments } from '../../source/sandbox/resources.js';
import { generatedDeployments, type SeedObject } from '../../source/sandbox/seed.js';
import { registerImages } from '../../test/helpers/versions.js';

export const IMAGE_PREFIX = 'localhost:5000/ecp-ai';

/** The `count` Deployments `startSandbox({ deployments: count })` generates. */
export const benchDeployments = (count: number): SeedObject[] => generatedDeployments(count, IMAGE_PREFIX, deployments);

/** Writes `manifests`/<namespace>/services.yaml for the seeds; returns the folder. */
export function writeManifests(manifests: string, seeds: readonly SeedObject[]): string {
  const byTenant = new Map<string, SeedObject[]>();
  for (const seed of seeds) byTenant.set(seed.namespace, [...(byTenant.get(seed.namespace) ?? []), seed]);
  for (const [tenant, objects] of byTenant) {
    mkdirSync(path.join(manifests, tenant), { recursive: true });
    const docs = objects.map((s) => stringify({ ...s.object, metadata: { ...s.object.metadata, namespace: tenant } }));
    writeFileSync(path.join(manifests, tenant, 'services.yaml'), docs.join('---\n'));
  }
  return manifests;
}

/** Registers the images of the generated Deployments (one per service) as ready versions. */
export async function registerBenchImages(dataDir: string): Promise<void> {
  const images = benchDeployments(20).map((s) => (s.object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image);
  await registerImages(dataDir, images);
}
