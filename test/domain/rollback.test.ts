import { describe, expect, it } from 'vitest';
import { deploymentMetrics } from '../../source/domain/metrics.js';
import { autoRollbackDecision, chooseRollbackTarget, settledOutcome } from '../../source/domain/rollback.js';
import type { ServiceStatus } from '../../source/domain/status.js';
import type { DeploymentRecord } from '../../source/domain/types.js';
import { version } from '../helpers/manifests.js';

const img = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;
let n = 0;
const record = (over: Partial<DeploymentRecord>): DeploymentRecord => ({
  id: `d${(n += 1)}`,
  tenantId: 'test-download',
  namespace: 'test-download',
  serviceName: 'callbot',
  toImage: img('v1'),
  kind: 'deploy',
  status: 'succeeded',
  actor: 'op@example.test',
  startedAt: `2026-11-2${n % 10}T00:00:00Z`,
  ...over,
});

describe('rollback target', () => {
  const history = [
    record({ toImage: img('v1'), startedAt: '2026-11-20T00:00:00Z' }),
    record({ toImage: img('v2'), startedAt: '2026-11-21T00:00:00Z' }),
    record({ toImage: img('v3'), startedAt: '2026-11-22T00:00:00Z', status: 'failed' }),
    record({ toImage: img('v4'), startedAt: '2026-11-23T00:00:00Z' }),
    record({ toImage: img('v9'), startedAt: '2026-11-24T00:00:00Z', serviceName: 'chatbot' }),
  ];
  it('is the newest succeeded image that differs from the live one', () => {
    expect(chooseRollbackTarget(history, [], 'test-download', 'callbot', img('v4'))?.toImage).toBe(img('v2'));
    expect(chooseRollbackTarget(history, [], 'test-download', 'callbot', img('v3'))?.toImage).toBe(img('v4'));
  });
  it('skips blocked and failed images and says none when nothing qualifies', () => {
    expect(chooseRollbackTarget(history, [version('callbot', 'v2', { status: 'blocked', scan: 'passed' })], 'test-download', 'callbot', img('v4'))?.toImage).toBe(img('v1'));
    expect(chooseRollbackTarget(history, [version('callbot', 'v2', { status: 'failed' })], 'test-download', 'callbot', img('v4'))?.toImage).toBe(img('v1'));
    expect(chooseRollbackTarget(history, [], 'test-download', 'advisor', img('v4'))).toBeUndefined();
    expect(chooseRollbackTarget([history[0]!], [], 'test-download', 'callbot', img('v1'))).toBeUndefined();
  });
});

describe('auto-rollback policy', () => {
  const row = (over: Partial<ServiceStatus>): ServiceStatus => ({
    tenantId: 'test-download',
    namespace: 'test-download',
    service: 'callbot',
    workload: 'callbot',
    workloadKind: 'Deployment',
    workloads: [],
    manifestImage: img('v5'),
    manifestTag: 'v5',
    liveImage: img('v5'),
    liveTag: 'v5',
    sync: 'Synced',
    health: 'Degraded',
    healthMessage: 'Deployment "callbot" exceeded its progress deadline',
    version: 'ready',
    message: '',
    ...over,
  });
  const deployed = record({ toImage: img('v5'), status: 'failed' });
  const policy = { services: ['callbot'], protectedNamespaces: ['*prod*'] };

  it('settles an open record only when its image is live and Healthy or Degraded', () => {
    const open = record({ toImage: img('v5'), status: 'progressing' });
    expect(settledOutcome(row({ health: 'Healthy' }), open)).toBe('succeeded');
    expect(settledOutcome(row({}), { ...open, status: 'pending' })).toBe('failed');
    expect(settledOutcome(row({ health: 'Progressing' }), open)).toBeUndefined();
    expect(settledOutcome(row({ liveImage: img('v4') }), open)).toBeUndefined();
    expect(settledOutcome(row({ sync: 'Unknown' }), open)).toBeUndefined();
    expect(settledOutcome(row({ health: 'Healthy' }), { ...open, status: 'succeeded' })).toBeUndefined();
    expect(settledOutcome(row({}), undefined)).toBeUndefined();
  });

  it('rolls back a Degraded deploy recorded by ecp for a listed service', () => {
    expect(autoRollbackDecision(row({}), deployed, policy, new Set())).toEqual({
      rollback: true,
      reason: `Deployment "callbot" exceeded its progress deadline after deploy of ${img('v5')}`,
    });
  });
  it('never on Unknown, never twice for one image, never in protected namespaces, never for unlisted services', () => {
    expect(autoRollbackDecision(row({ sync: 'Unknown', health: 'Unknown' }), deployed, policy, new Set()).rollback).toBe(false);
    expect(autoRollbackDecision(row({}), deployed, policy, new Set([`test-download/callbot@${img('v5')}`])).rollback).toBe(false);
    const prod = autoRollbackDecision(row({ namespace: 'acme-prod', tenantId: 'acme-prod' }), { ...deployed, tenantId: 'acme-prod' }, policy, new Set());
    expect(prod).toMatchObject({ rollback: false, notable: true });
    expect(!prod.rollback && prod.why).toMatch(/namespace acme-prod is protected/);
    expect(autoRollbackDecision(row({ service: 'chatbot' }), deployed, policy, new Set())).toMatchObject({ rollback: false, notable: true });
  });
  it('only after a deploy ecp recorded of the image that is live', () => {
    expect(autoRollbackDecision(row({}), undefined, policy, new Set()).rollback).toBe(false);
    expect(autoRollbackDecision(row({}), { ...deployed, kind: 'rollback' }, policy, new Set()).rollback).toBe(false);
    // Never a cascade: a rollback's own target turning Degraded is said, and left to a person.
    expect(autoRollbackDecision(row({}), { ...deployed, kind: 'auto-rollback', status: 'succeeded' }, policy, new Set())).toEqual({
      rollback: false,
      notable: true,
      why: `test-download/callbot is Degraded after the auto-rollback to ${img('v5')}; ecp does not roll back a rollback automatically: decide by hand (ecp rollback test-download callbot --to ID)`,
    });
    expect(autoRollbackDecision(row({ liveImage: img('v6') }), deployed, policy, new Set()).rollback).toBe(false);
    expect(autoRollbackDecision(row({ health: 'Progressing' }), deployed, policy, new Set()).rollback).toBe(false);
  });
});

describe('deployment metrics', () => {
  it('counts deploys, success rate, median time to ready, rollbacks and the last failure', () => {
    const m = deploymentMetrics([
      record({ durationMs: 10_000, startedAt: '2026-11-20T00:00:00Z' }),
      record({ durationMs: 30_000, startedAt: '2026-11-21T00:00:00Z' }),
      record({ status: 'failed', toImage: img('bad'), message: 'ImagePullBackOff', startedAt: '2026-11-22T00:00:00Z' }),
      record({ kind: 'auto-rollback', durationMs: 20_000, startedAt: '2026-11-22T01:00:00Z' }),
      record({ kind: 'rollback', durationMs: 40_000, startedAt: '2026-11-23T00:00:00Z' }),
      record({ status: 'progressing', startedAt: '2026-11-24T00:00:00Z' }),
    ]);
    expect(m).toEqual({
      deploys: 4,
      succeeded: 2,
      failed: 1,
      successRate: 2 / 3,
      medianTimeToReadyMs: 25_000,
      rollbacks: { manual: 1, auto: 1 },
      lastFailure: { at: '2026-11-22T00:00:00Z', image: img('bad'), message: 'ImagePullBackOff' },
    });
  });
});
