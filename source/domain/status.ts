/**
 * Drift, health and version state per tenant × service (DESIGN §6): the facts `ecp --once`, the
 * console and the monitor all show. Pure: manifests, a live snapshot and versions in, rows out.
 */
import { formatDuration } from './duration.js';
import { HEALTH_ORDER, podsOf, workloadHealthWithPods, type Health, type HealthStatus, type LiveStatefulSet, type LiveWorkload } from './health.js';
import type { KubeContainer, LiveDeployment, LivePod, LiveReplicaSet } from './kube-types.js';
import { parseImageRef, tagOf } from './names.js';
import { isBlocked, isReady, type ImageVersion } from './types.js';

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Missing' | 'Unknown';
export type VersionState = 'ready' | 'pending' | 'unregistered' | 'blocked';

/** A workload that runs a service, as the manifest has it. */
export interface ManifestWorkload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  /** The image of the service's main container in this workload. */
  image: string;
}

export interface ManifestService {
  tenantId: string;
  namespace: string;
  service: string;
  /** The image of the service's main container in its first workload. */
  image: string;
  /** The service's image repository: how its containers are recognised live. */
  repository: string;
  /** Every workload that runs it (one or more). */
  workloads: readonly ManifestWorkload[];
}

/** What the live-state adapter knows right now. */
export interface LiveSnapshot {
  /** False while the API cannot be reached; the maps then hold the last good data. */
  reachable: boolean;
  /** When the last good read finished (ms since epoch); undefined if there never was one. */
  lastGoodAt?: number;
  error?: string;
  /** Keyed `${namespace}/${name}`. */
  deployments: ReadonlyMap<string, LiveDeployment>;
  /** Keyed `${namespace}/${name}`; a snapshot without it has no StatefulSets. */
  statefulSets?: ReadonlyMap<string, LiveStatefulSet>;
  /** Pods of namespaces with a workload that is not yet healthy, keyed by namespace. */
  pods: ReadonlyMap<string, readonly LivePod[]>;
  /** The ReplicaSets of the same namespaces: which pods are of a Deployment's current revision. */
  replicaSets?: ReadonlyMap<string, readonly LiveReplicaSet[]>;
  /** Namespaces whose Deployments the cluster would not let us read (RBAC), with its reason: not "missing". */
  unreadable?: ReadonlyMap<string, string>;
  /** The same for StatefulSets (a user may read one kind and not the other). */
  unreadableStatefulSets?: ReadonlyMap<string, string>;
}

/** Drift and health of one workload of a service. */
export interface WorkloadStatus {
  kind: ManifestWorkload['kind'];
  name: string;
  namespace: string;
  manifestImage: string;
  liveImage?: string;
  /** Its tag; undefined when the workload is not in the (last good) live data. */
  liveTag?: string;
  sync: SyncStatus;
  health: HealthStatus;
  healthMessage: string;
  readyReplicas?: number;
  desiredReplicas?: number;
  createdAt?: string;
  /** What is wrong with this workload ('' when nothing). */
  message: string;
}

export interface ServiceStatus {
  tenantId: string;
  namespace: string;
  service: string;
  /** The workload the row's state is of: the worst of the service's workloads. */
  workload: string;
  workloadKind: ManifestWorkload['kind'];
  manifestImage: string;
  manifestTag: string;
  liveImage?: string;
  liveTag?: string;
  sync: SyncStatus;
  health: HealthStatus;
  healthMessage: string;
  version: VersionState;
  versionId?: string;
  scan?: ImageVersion['securityScanResult'];
  vulnerabilities?: number;
  readyReplicas?: number;
  desiredReplicas?: number;
  createdAt?: string;
  /** Every workload's own state, in manifest order. */
  workloads: WorkloadStatus[];
  /** One line saying what, if anything, is wrong. */
  message: string;
}

/** The live image of the service's main container: matched by repository (containers, then init containers), else by name. */
export function liveServiceImage(workload: Pick<LiveDeployment | LiveStatefulSet, 'spec'>, repository: string, service: string): string | undefined {
  const spec = workload.spec?.template?.spec;
  const own = (c: KubeContainer) => c.image !== undefined && parseImageRef(c.image).repository === repository;
  const containers = spec?.containers ?? [];
  return (containers.find(own) ?? spec?.initContainers?.find(own) ?? containers.find((c) => c.name === service))?.image;
}

/** The containers and init containers of a live workload that run the service's repository. */
export function liveServiceContainers(workload: Pick<LiveDeployment | LiveStatefulSet, 'spec'>, repository: string): { list: 'containers' | 'initContainers'; name: string; image: string }[] {
  const spec = workload.spec?.template?.spec;
  return (['containers', 'initContainers'] as const).flatMap((list) =>
    (spec?.[list] ?? []).filter((c) => c.image !== undefined && parseImageRef(c.image).repository === repository).map((c) => ({ list, name: c.name, image: c.image! })),
  );
}

export function versionState(version: ImageVersion | undefined): VersionState {
  if (!version) return 'unregistered';
  if (isBlocked(version)) return 'blocked';
  return isReady(version) ? 'ready' : 'pending';
}

function ageText(lastGoodAt: number | undefined, now: number): string {
  return lastGoodAt === undefined ? 'never read' : `last good read ${formatDuration(now - lastGoodAt)} ago`;
}

/** The workload's live object in the snapshot, with its kind. */
export function liveWorkloadOf(live: LiveSnapshot | undefined, workload: Pick<ManifestWorkload, 'kind' | 'namespace' | 'name'>): LiveWorkload | undefined {
  const key = `${workload.namespace}/${workload.name}`;
  if (workload.kind === 'Deployment') {
    const object = live?.deployments.get(key);
    return object ? { kind: 'Deployment', object } : undefined;
  }
  const object = live?.statefulSets?.get(key);
  return object ? { kind: 'StatefulSet', object } : undefined;
}

const unreadableOf = (live: LiveSnapshot, kind: ManifestWorkload['kind']) => (kind === 'Deployment' ? live.unreadable : live.unreadableStatefulSets);

function workloadStatus(manifest: ManifestService, workload: ManifestWorkload, live: LiveSnapshot | undefined, now: number): WorkloadStatus {
  // While the API is unreachable the last good data still says what ran.
  const found = liveWorkloadOf(live, workload);
  const liveImage = found ? liveServiceImage(found.object, manifest.repository, manifest.service) : undefined;
  let sync: SyncStatus;
  let health: Health;
  let message: string;
  if (!live?.reachable) {
    message = live ? `cluster unreachable (${live.error ?? 'no answer'}); ${ageText(live.lastGoodAt, now)}` : 'no cluster configured';
    sync = 'Unknown';
    health = { status: 'Unknown', message };
  } else if (unreadableOf(live, workload.kind)?.has(workload.namespace)) {
    message = unreadableOf(live, workload.kind)!.get(workload.namespace)!;
    sync = 'Unknown';
    health = { status: 'Unknown', message };
  } else if (!found) {
    message = `${workload.kind} ${workload.namespace}/${workload.name} is not in the cluster`;
    sync = 'Missing';
    health = { status: 'Missing', message };
  } else {
    health = workloadHealthWithPods(found, podsOf(found.object, live.pods.get(workload.namespace) ?? []), live.replicaSets?.get(workload.namespace));
    sync = liveImage === workload.image ? 'Synced' : 'OutOfSync';
    message = [sync === 'OutOfSync' ? `live image ${liveImage ?? '(none)'} differs from manifest ${workload.image}` : undefined, health.status !== 'Healthy' ? health.message : undefined]
      .filter(Boolean)
      .join('; ');
  }
  const object = found?.object;
  const ready = found ? (found.object.status?.readyReplicas ?? 0) : undefined;
  return {
    kind: workload.kind,
    name: workload.name,
    namespace: workload.namespace,
    manifestImage: workload.image,
    liveImage,
    liveTag: found ? tagOf(liveImage) : undefined,
    sync,
    health: health.status,
    healthMessage: health.message,
    readyReplicas: ready,
    desiredReplicas: object ? (object.spec?.replicas ?? 1) : undefined,
    createdAt: object?.metadata?.creationTimestamp ? new Date(object.metadata.creationTimestamp).toISOString() : undefined,
    message,
  };
}

const SYNC_ORDER: readonly SyncStatus[] = ['Synced', 'OutOfSync', 'Missing', 'Unknown'];

/** A workload's place in the badge order (as badgeOf ranks a row: health first, then drift). */
const workloadRank = (w: WorkloadStatus) => badgeRank(w.health !== 'Healthy' ? w.health : w.sync !== 'Synced' ? 'OutOfSync' : 'Healthy');

export function serviceStatus(manifest: ManifestService, live: LiveSnapshot | undefined, versionsByImage: ReadonlyMap<string, ImageVersion>, now: number): ServiceStatus {
  const version = versionsByImage.get(manifest.image);
  const versionStatus = versionState(version);
  const workloads = manifest.workloads.map((w) => workloadStatus(manifest, w, live, now));
  const worst = workloads.reduce((a, b) => (workloadRank(b) > workloadRank(a) ? b : a));
  const several = workloads.length > 1;
  const reachable = live?.reachable === true && !unreadableOf(live, worst.kind)?.has(worst.namespace);
  const problems = reachable ? workloads.filter((w) => w.message).map((w) => (several ? `${w.kind} ${w.name}: ${w.message}` : w.message)) : [worst.message];
  const message = [
    ...problems,
    ...(reachable
      ? [
          versionStatus === 'unregistered' ? `image ${manifest.image} is not registered` : undefined,
          versionStatus === 'blocked' ? `version ${version?.id} is blocked (scan ${version?.securityScanResult})` : undefined,
          versionStatus === 'pending' ? `version ${version?.id} is not ready (${version?.status}, scan ${version?.securityScanResult})` : undefined,
        ]
      : []),
  ]
    .filter(Boolean)
    .join('; ');
  // One literal with every field: a console refresh builds 1 000 of these, and on Node 20 an
  // object spread followed by new keys gives each object a map of its own (~4x the memory).
  return {
    tenantId: manifest.tenantId,
    namespace: manifest.namespace,
    service: manifest.service,
    workload: worst.name,
    workloadKind: worst.kind,
    manifestImage: manifest.image,
    manifestTag: tagOf(manifest.image),
    liveImage: worst.liveImage,
    liveTag: worst.liveTag,
    sync: workloads.map((w) => w.sync).reduce((a, b) => (SYNC_ORDER.indexOf(b) > SYNC_ORDER.indexOf(a) ? b : a)),
    health: worst.health,
    healthMessage: several && worst.healthMessage ? `${worst.kind} ${worst.name}: ${worst.healthMessage}` : worst.healthMessage,
    version: versionStatus,
    versionId: version?.id,
    scan: version?.securityScanResult,
    vulnerabilities: version?.vulnerabilitiesCount,
    readyReplicas: worst.readyReplicas,
    desiredReplicas: worst.desiredReplicas,
    createdAt: worst.createdAt,
    workloads,
    message,
  };
}

export function isAllGood(row: ServiceStatus): boolean {
  return row.sync === 'Synced' && row.health === 'Healthy' && row.version === 'ready';
}

export interface StatusCounts {
  services: number;
  synced: number;
  outOfSync: number;
  missing: number;
  degraded: number;
  progressing: number;
  unknown: number;
  notReady: number;
}

export function countStatuses(rows: readonly ServiceStatus[]): StatusCounts {
  return {
    services: rows.length,
    synced: rows.filter((r) => r.sync === 'Synced').length,
    outOfSync: rows.filter((r) => r.sync === 'OutOfSync').length,
    missing: rows.filter((r) => r.sync === 'Missing').length,
    degraded: rows.filter((r) => r.health === 'Degraded').length,
    progressing: rows.filter((r) => r.health === 'Progressing').length,
    unknown: rows.filter((r) => r.sync === 'Unknown').length,
    notReady: rows.filter((r) => r.version !== 'ready').length,
  };
}

/** Newest version per full image name, for the version column. */
export function versionsByImage(versions: readonly ImageVersion[]): Map<string, ImageVersion> {
  const map = new Map<string, ImageVersion>();
  for (const v of versions) {
    const seen = map.get(v.fullImageName);
    if (!seen || seen.createdAt < v.createdAt) map.set(v.fullImageName, v);
  }
  return map;
}

export type Badge = HealthStatus | 'OutOfSync' | 'NotReady';

/** A badge's place in the health order: not ready just below Healthy, out of sync below Suspended. */
const badgeRank = (badge: Badge) => (badge === 'NotReady' ? 0.5 : badge === 'OutOfSync' ? 1.5 : HEALTH_ORDER.indexOf(badge));

/** One word for a service: its health unless Healthy, then drift, then version readiness. */
export function badgeOf(row: ServiceStatus): Badge {
  if (row.health !== 'Healthy') return row.health;
  if (row.sync !== 'Synced') return 'OutOfSync';
  return row.version === 'ready' ? 'Healthy' : 'NotReady';
}

/** The worst badge among a tenant's services. */
export function worstBadge(rows: readonly ServiceStatus[]): Badge {
  return rows.map(badgeOf).reduce<Badge>((worst, b) => (badgeRank(b) > badgeRank(worst) ? b : worst), 'Healthy');
}
