/** StatefulSet health and Pending deletion, as Argo CD (gitops-engine pkg/health) judges them, from real-shaped objects. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deploymentHealth, statefulSetHealth, type LiveStatefulSet } from '../../source/domain/health.js';
import type { LiveDeployment } from '../../source/domain/kube-types.js';

const fixture = <T>(name: string): T => parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/health', `${name}.yaml`), 'utf8')) as T;

describe('StatefulSet health (Argo CD rules)', () => {
  const table: [string, string, string][] = [
    ['statefulset-healthy', 'Healthy', 'partitioned roll out complete: 3 new pods have been updated...'],
    ['statefulset-ondelete', 'Healthy', 'statefulset has 3 ready pods'],
    ['statefulset-progressing', 'Progressing', 'Waiting for 1 pods to be ready...'],
    ['statefulset-partitioned', 'Progressing', 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...'],
    ['statefulset-generation-behind', 'Progressing', 'Waiting for statefulset spec update to be observed...'],
    ['statefulset-revision-pending', 'Progressing', 'waiting for statefulset rolling update to complete 1 pods at revision session-store-84f5c6d9b7...'],
    ['statefulset-pending-deletion', 'Progressing', 'Pending deletion'],
  ];
  it.each(table)('%s → %s', (name, status, message) => {
    expect(statefulSetHealth(fixture<LiveStatefulSet>(name))).toEqual({ status, message });
  });
});

describe('Pending deletion', () => {
  it('makes a Deployment being deleted Progressing, however finished its rollout', () => {
    expect(deploymentHealth(fixture<LiveDeployment>('deployment-pending-deletion'))).toEqual({ status: 'Progressing', message: 'Pending deletion' });
    expect(deploymentHealth(fixture<LiveDeployment>('healthy')).status).toBe('Healthy');
  });
});
