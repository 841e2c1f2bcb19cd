/**
 * Drift, health and version state per tenant × service (DESIGN §6): the facts `ecp --once`, the
 * console and the monitor all show. Pure: manifests, a live snapshot and versions in, rows out.
 */
import { formatDuration } from './duration.js';
import { deploymentHealthWithPods, HEALTH_ORDER, podsOf, type Health, type HealthStatus } from './health.js';
import type { LiveDeployment, LivePod } from './kube-types.js';
import { parseImageRef, tagOf } from './names.js';
import { isBlocked, isReady, type ImageVersion } from './types.js';

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Missing' | 'Unknown';
export type VersionState = 'ready' | 'pending' | 'unregistered' | 'blocked';

export interface ManifestService {
  tenantId: string;
  namespace: string;
  service: string;
  /** The image of the service's own container in the manifest. */
  image: string;
  /** `${registry}/${prefix}/${service}`: how the service's container is recognised live. */
  repository: string;
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
  /** Pods of namespaces with a Deployment that is not yet healthy, keyed by namespace. */
  pods: ReadonlyMap<string, readonly LivePod[]>;
  /** Namespaces the cluster would not let us read (RBAC), with its reason: not "missing". */
  unreadable?: ReadonlyMap<string, string>;
}

export interface ServiceStatus {
  tenantId: string;
  namespace: string;
  service: string;
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
  /** One line saying what, if anything, is wrong. */
  message: string;
}

/** The live image of the service's own container: matched by repository, else by name. */
export function liveServiceImage(deployment: LiveDeployment, repository: string, service: string): string | undefined {
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const own = containers.find((c) => c.image && parseImageRef(c.image).repository === repository) ?? containers.find((c) => c.name === service);
  return own?.image;
}

export function versionState(version: ImageVersion | undefined): VersionState {
  if (!version) return 'unregistered';
  if (isBlocked(version)) return 'blocked';
  return isReady(version) ? 'ready' : 'pending';
}

function ageText(lastGoodAt: number | undefined, now: number): string {
  return lastGoodAt === undefined ? 'never read' : `last good read ${formatDuration(now - lastGoodAt)} ago`;
}

export function serviceStatus(manifest: ManifestService, live: LiveSnapshot | undefined, versionsByImage: ReadonlyMap<string, ImageVersion>, now: number): ServiceStatus {
  const version = versionsByImage.get(manifest.image);
  const versionStatus = versionState(version);
  const deployment = live?.deployments.get(`${manifest.namespace}/${manifest.service}`);
  const liveImage = deployment ? liveServiceImage(deployment, manifest.repository, manifest.service) : undefined;
  let sync: SyncStatus;
  let health: Health;
  let message: string;
  if (!live || !live.reachable) {
    const why = live ? `cluster unreachable (${live.error ?? 'no answer'}); ${ageText(live.lastGoodAt, now)}` : 'no cluster configured';
    sync = 'Unknown';
    health = { status: 'Unknown', message: why };
    message = why;
  } else if (live.unreadable?.has(manifest.namespace)) {
    message = live.unreadable.get(manifest.namespace)!;
    sync = 'Unknown';
    health = { status: 'Unknown', message };
  } else if (!deployment) {
    message = `Deployment ${manifest.namespace}/${manifest.service} is not in the cluster`;
    sync = 'Missing';
    health = { status: 'Missing', message };
  } else {
    health = deploymentHealthWithPods(deployment, podsOf(deployment, live.pods.get(manifest.namespace) ?? []));
    sync = liveImage === manifest.image ? 'Synced' : 'OutOfSync';
    message = [
      sync === 'OutOfSync' ? `live image ${liveImage ?? '(none)'} differs from manifest ${manifest.image}` : undefined,
      health.status !== 'Healthy' ? health.message : undefined,
      versionStatus === 'unregistered' ? `image ${manifest.image} is not registered` : undefined,
      versionStatus === 'blocked' ? `version ${version?.id} is blocked (scan ${version?.securityScanResult})` : undefined,
      versionStatus === 'pending' ? `version ${version?.id} is not ready (${version?.status}, scan ${version?.securityScanResult})` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
  }
  // One literal with every field: a console refresh builds 1 000 of these, and on Node 20 an
  // object spread followed by new keys gives each object a map of its own (~4x the memory).
  return {
    tenantId: manifest.tenantId,
    namespace: manifest.namespace,
    service: manifest.service,
    manifestImage: manifest.image,
    manifestTag: tagOf(manifest.image),
    liveImage,
    liveTag: deployment ? tagOf(liveImage) : undefined,
    sync,
    health: health.status,
    healthMessage: health.message,
    version: versionStatus,
    versionId: version?.id,
    scan: version?.securityScanResult,
    vulnerabilities: version?.vulnerabilitiesCount,
    readyReplicas: deployment ? (deployment.status?.readyReplicas ?? 0) : undefined,
    desiredReplicas: deployment ? (deployment.spec?.replicas ?? 1) : undefined,
    createdAt: deployment?.metadata?.creationTimestamp ? new Date(deployment.metadata.creationTimestamp).toISOString() : undefined,
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
