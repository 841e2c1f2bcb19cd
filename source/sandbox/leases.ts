/**
 * coordination.k8s.io/v1 Leases, as the API server serves them: stored and served like any
 * namespaced object (create-if-absent, compare-and-swap on resourceVersion, watches), with no
 * controller. ecp's team store takes one per tenant/service for a deploy or a rollback.
 */
import { asString, at, type Json, type KubeObject } from './json.js';
import type { ResourceType } from './resources.js';

export const leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  singular: 'lease',
  kind: 'Lease',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  hasGeneration: false,
};

/** kubectl get leases: NAME, HOLDER, AGE. */
export function leaseCells(lease: KubeObject, age: string): Json[] {
  return [lease.metadata.name!, asString(at(lease, 'spec', 'holderIdentity')) ?? '', age];
}
