import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { deploymentHealth, isWorse, podsOf, workloadHealthWithPods } from '../../source/domain/health.js';
import type { LiveDeployment, LivePod } from '../../source/domain/kube-types.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/health');
const load = <T>(name: string): T[] => parseAllDocuments(readFileSync(path.join(fixtures, `${name}.yaml`), 'utf8')).map((d) => d.toJS() as T);
const deployment = (name: string) => load<LiveDeployment>(name)[0]!;

describe('Deployment health from real objects (Argo CD rules)', () => {
  const table: [string, string, string][] = [
    ['healthy', 'Healthy', ''],
    ['progressing', 'Progressing', 'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...'],
    ['degraded-deadline', 'Degraded', 'Deployment "advisor" exceeded its progress deadline'],
    ['suspended', 'Suspended', 'Deployment is paused'],
    ['generation-behind', 'Progressing', 'Waiting for rollout to finish: observed deployment generation less than desired generation'],
    ['old-replicas-terminating', 'Progressing', 'Waiting for rollout to finish: 1 old replicas are pending termination...'],
    ['updated-not-available', 'Progressing', 'Waiting for rollout to finish: 1 of 2 updated replicas are available...'],
  ];
  it.each(table)('%s → %s', (name, status, message) => {
    expect(deploymentHealth(deployment(name))).toEqual({ status, message });
  });
});

describe('pod-level Degraded', () => {
  const chatbot = deployment('progressing');
  it('turns a rollout with a pod in ImagePullBackOff Degraded, naming pod and reason', () => {
    const pods = podsOf(chatbot, load<LivePod>('pods-imagepullbackoff'));
    expect(pods).toHaveLength(2);
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, pods)).toEqual({
      status: 'Degraded',
      message: 'Pod chatbot-7f9c-x2k4p container chatbot is in ImagePullBackOff: Back-off pulling image "localhost:5000/ecp-ai/chatbot:v2"',
    });
  });
  it('counts ErrImagePull (the first failed pull, before the back-off) as Degraded too', () => {
    const pods = load<LivePod>('pods-imagepullbackoff');
    pods[0]!.status!.containerStatuses![0]!.state = { waiting: { reason: 'ErrImagePull', message: 'manifest unknown' } };
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, podsOf(chatbot, pods))).toEqual({
      status: 'Degraded',
      message: 'Pod chatbot-7f9c-x2k4p container chatbot is in ErrImagePull: manifest unknown',
    });
  });
  it('does not count a failing pod that is being deleted (a forced StatefulSet rollback deletes it)', () => {
    const pods = load<LivePod>('pods-imagepullbackoff').map((p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-11-26T00:00:00Z' } }));
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, podsOf(chatbot, pods)).status).toBe('Progressing');
  });
  it('does not count pods of another namespace that carry the same labels', () => {
    const pods = load<LivePod>('pods-imagepullbackoff').map((p) => ({ ...p, metadata: { ...p.metadata, namespace: 'acme-prod' } }));
    expect(podsOf(chatbot, pods)).toEqual([]);
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, podsOf(chatbot, pods)).status).toBe('Progressing');
  });
  it('does the same for CrashLoopBackOff', () => {
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, load<LivePod>('pods-crashloop')).message).toMatch(/is in CrashLoopBackOff/);
  });
  it('keeps Progressing when every pod is merely starting, and ignores pods of other Deployments', () => {
    const other = { ...deployment('healthy'), status: { ...deployment('progressing').status } } as LiveDeployment;
    expect(podsOf(other, load<LivePod>('pods-imagepullbackoff'))).toEqual([]);
    expect(workloadHealthWithPods({ kind: 'Deployment', object: chatbot }, []).status).toBe('Progressing');
  });
  it('ranks the worst state for a tenant badge', () => {
    expect(isWorse('Progressing', 'Degraded')).toBe(true);
    expect(isWorse('Degraded', 'Unknown')).toBe(false);
    expect(isWorse('Healthy', 'Suspended')).toBe(true);
    expect(isWorse('Missing', 'Missing')).toBe(false);
  });
});
