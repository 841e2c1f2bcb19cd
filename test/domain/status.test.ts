import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LiveStatefulSet } from '../../source/domain/health.js';
import type { LiveDeployment } from '../../source/domain/kube-types.js';
import { countStatuses, isAllGood, serviceStatus, versionsByImage, type LiveSnapshot, type ManifestService } from '../../source/domain/status.js';
import type { ImageVersion } from '../../source/domain/types.js';

const manifest: ManifestService = {
  tenantId: 'test-download',
  namespace: 'test-download',
  service: 'callbot',
  image: 'localhost:5000/ecp-ai/callbot:v2',
  repository: 'localhost:5000/ecp-ai/callbot',
  workloads: [{ kind: 'Deployment', name: 'callbot', namespace: 'test-download', image: 'localhost:5000/ecp-ai/callbot:v2' }],
};

const live = (image: string, extra: Partial<LiveDeployment['status']> = {}): LiveDeployment => ({
  metadata: { name: 'callbot', namespace: 'test-download', generation: 2, creationTimestamp: '2026-11-20T00:00:00Z' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'callbot' } },
    template: {
      spec: {
        containers: [
          { name: 'log-shipper', image: 'fluent/fluent-bit:3' },
          { name: 'main', image },
        ],
      },
    },
  },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, ...extra },
});

const snapshot = (deployments: LiveDeployment[], reachable = true): LiveSnapshot => ({
  reachable,
  lastGoodAt: Date.parse('2026-11-26T00:00:00Z'),
  error: reachable ? undefined : 'connect ECONNREFUSED 127.0.0.1:6443',
  deployments: new Map(deployments.map((d) => [`${d.metadata!.namespace}/${d.metadata!.name}`, d])),
  pods: new Map(),
});

const version = (over: Partial<ImageVersion>): ImageVersion => ({
  id: 'callbot-v2-1',
  serviceName: 'callbot',
  imageName: 'callbot',
  imageTag: 'v2',
  fullImageName: 'localhost:5000/ecp-ai/callbot:v2',
  gitCommit: 'abc',
  gitBranch: 'main',
  status: 'ready',
  securityScanResult: 'passed',
  vulnerabilitiesCount: 0,
  vulnerabilities: {},
  createdAt: '2026-11-25T00:00:00Z',
  updatedAt: '2026-11-25T00:00:00Z',
  ...over,
});

const now = Date.parse('2026-11-26T00:05:00Z');

describe('service status', () => {
  it('is Synced, Healthy and ready when the live service container runs the manifest image', () => {
    const row = serviceStatus(manifest, snapshot([live(manifest.image)]), versionsByImage([version({})]), now);
    expect(row).toMatchObject({ sync: 'Synced', health: 'Healthy', version: 'ready', liveTag: 'v2', readyReplicas: 2, desiredReplicas: 2, message: '' });
    expect(isAllGood(row)).toBe(true);
  });

  it('compares whole images: the same tag under another repository, or with a digest, is OutOfSync', () => {
    const elsewhere = live('registry.example.com/ecp-ai/callbot:v2');
    elsewhere.spec!.template!.spec!.containers = [{ name: 'callbot', image: 'registry.example.com/ecp-ai/callbot:v2' }];
    expect(serviceStatus(manifest, snapshot([elsewhere]), versionsByImage([version({})]), now)).toMatchObject({ sync: 'OutOfSync', liveTag: 'v2' });
    const pinned = `localhost:5000/ecp-ai/callbot:v2@sha256:${'b'.repeat(64)}`;
    expect(serviceStatus(manifest, snapshot([live(pinned)]), versionsByImage([version({})]), now)).toMatchObject({ sync: 'OutOfSync', liveImage: pinned });
  });

  it('finds the service container by repository, not by position, and reports drift', () => {
    const row = serviceStatus(manifest, snapshot([live('localhost:5000/ecp-ai/callbot:v1')]), versionsByImage([version({})]), now);
    expect(row.sync).toBe('OutOfSync');
    expect(row.liveTag).toBe('v1');
    expect(row.message).toContain('live image localhost:5000/ecp-ai/callbot:v1 differs from manifest');
  });

  it('is Missing when the Deployment is absent and Unknown, with the age, when the API is unreachable', () => {
    expect(serviceStatus(manifest, snapshot([]), new Map(), now)).toMatchObject({ sync: 'Missing', health: 'Missing' });
    const unknown = serviceStatus(manifest, snapshot([live(manifest.image)], false), new Map(), now);
    expect(unknown).toMatchObject({ sync: 'Unknown', health: 'Unknown', liveTag: 'v2' });
    expect(unknown.message).toBe('cluster unreachable (connect ECONNREFUSED 127.0.0.1:6443); last good read 5m ago');
    expect(serviceStatus(manifest, undefined, new Map(), now).message).toBe('no cluster configured');
  });

  it('classifies the version as unregistered, pending or blocked', () => {
    const s = snapshot([live(manifest.image)]);
    expect(serviceStatus(manifest, s, new Map(), now).version).toBe('unregistered');
    expect(serviceStatus(manifest, s, versionsByImage([version({ status: 'pushed', securityScanResult: 'pending' })]), now).version).toBe('pending');
    const blocked = serviceStatus(manifest, s, versionsByImage([version({ status: 'blocked', securityScanResult: 'failed' })]), now);
    expect(blocked.version).toBe('blocked');
    expect(isAllGood(blocked)).toBe(false);
    expect(countStatuses([blocked])).toMatchObject({ services: 1, synced: 1, notReady: 1 });
  });
});

describe('a service run by several workloads (issue 20)', () => {
  const load = (name: string) => parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/health', `${name}.yaml`), 'utf8')) as LiveStatefulSet;
  const store = (name: string, over: LiveStatefulSet = load(name)) => ({ ...over, metadata: { ...over.metadata, name: 'session-store', namespace: 'test-download' } });
  const image = 'localhost:5000/ecp-ai/session-store:v2.4.0-9f1c2ab';
  const sessions: ManifestService = {
    tenantId: 'test-download',
    namespace: 'test-download',
    service: 'session-store',
    image,
    repository: 'localhost:5000/ecp-ai/session-store',
    workloads: [
      { kind: 'Deployment', name: 'session-api', namespace: 'test-download', image },
      { kind: 'StatefulSet', name: 'session-store', namespace: 'test-download', image },
    ],
  };
  const api = (): LiveDeployment => {
    const d = live(image);
    return { ...d, metadata: { ...d.metadata, name: 'session-api' } };
  };
  const withSets = (deployments: LiveDeployment[], sets: LiveStatefulSet[]): LiveSnapshot => ({
    ...snapshot(deployments),
    statefulSets: new Map(sets.map((s) => [`${s.metadata!.namespace}/${s.metadata!.name}`, s])),
  });
  const ready = versionsByImage([version({ serviceName: 'session-store', fullImageName: image })]);

  it('is Synced and Healthy when every workload is, the StatefulSet judged as Argo CD judges it', () => {
    const row = serviceStatus(sessions, withSets([api()], [store('statefulset-healthy')]), ready, now);
    expect(row).toMatchObject({ sync: 'Synced', health: 'Healthy', message: '' });
    expect(row.workloads.map((w) => `${w.kind}/${w.name} ${w.health}`)).toEqual(['Deployment/session-api Healthy', 'StatefulSet/session-store Healthy']);
  });

  it('shows the worst workload, named: a StatefulSet still rolling, one that is missing', () => {
    const rolling = serviceStatus(sessions, withSets([api()], [store('statefulset-revision-pending')]), ready, now);
    expect(rolling).toMatchObject({ health: 'Progressing', workload: 'session-store', workloadKind: 'StatefulSet' });
    expect(rolling.message).toMatch(/^StatefulSet session-store: waiting for statefulset rolling update to complete/);
    const missing = serviceStatus(sessions, withSets([api()], []), ready, now);
    expect(missing).toMatchObject({ sync: 'Missing', health: 'Missing', workload: 'session-store' });
    expect(missing.message).toBe('StatefulSet session-store: StatefulSet test-download/session-store is not in the cluster');
  });
});
