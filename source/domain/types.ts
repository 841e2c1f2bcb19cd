/** Records of the store (DESIGN §5). Field names follow the original specification's API. */
import type { Severity } from '../config.js';

export const VERSION_STATUSES = ['building', 'built', 'pushed', 'ready', 'blocked', 'deployed', 'failed', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const SCAN_RESULTS = ['pending', 'passed', 'failed', 'skipped'] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];

export type VulnerabilityCounts = Partial<Record<Severity, number>>;

export interface ImageVersion {
  id: string;
  serviceName: string;
  imageName: string;
  imageTag: string;
  fullImageName: string;
  digest?: string;
  gitCommit: string;
  gitBranch: string;
  status: VersionStatus;
  securityScanResult: ScanResult;
  vulnerabilitiesCount: number;
  vulnerabilities: VulnerabilityCounts;
  createdAt: string;
  updatedAt: string;
  buildDurationMs?: number;
  sizeBytes?: number;
  actor?: string;
  /** Why the version is failed: a rollout that failed, or a rollback away from it. */
  failure?: VersionFailure;
}

/** Where and why a version failed (DESIGN §10): it is never chosen again unless named. */
export interface VersionFailure {
  at: string;
  tenantId: string;
  namespace: string;
  /** What happened: its rollout failed, or it was rolled back (by hand or automatically). */
  cause: 'rollout-failed' | 'rolled-back' | 'auto-rolled-back';
  reason: string;
  /** The deployment record of the failed rollout or of the rollback. */
  recordId?: string;
}

export type DeploymentKind = 'deploy' | 'rollback' | 'auto-rollback';
export type DeploymentStatus = 'pending' | 'progressing' | 'succeeded' | 'failed';

export interface DeploymentRecord {
  id: string;
  tenantId: string;
  namespace: string;
  serviceName: string;
  fromImage?: string;
  toImage: string;
  versionId?: string;
  kind: DeploymentKind;
  status: DeploymentStatus;
  reason?: string;
  actor: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  gitTag?: string;
  message?: string;
  /** What went on despite a problem, e.g. a rollback whose registry did not answer (issue 15). */
  warnings?: string[];
  /** Why a failed rollout failed: the workload's events, pods and failing log lines (issue 15). */
  diagnosis?: string[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  id: string;
  action: 'deploy' | 'update-manifests';
  tenantId: string;
  namespace: string;
  /** service → image the approved command may write. */
  images: Record<string, string>;
  requestedBy: string;
  requestedAt: string;
  status: ApprovalStatus;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export interface AuditEvent {
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  /** sha256 of the previous line of audit.jsonl ('' for the first). */
  prev: string;
}

/** A version may reach a manifest or a cluster only when it is neither blocked nor failed a scan. */
export function isBlocked(version: Pick<ImageVersion, 'status' | 'securityScanResult'>): boolean {
  return version.status === 'blocked' || version.securityScanResult === 'failed';
}

/** Failed a rollout or was rolled back (or a failed build): chosen again only by name. */
export function isFailed(version: Pick<ImageVersion, 'status'>): boolean {
  return version.status === 'failed';
}

/** "failed in test-download/test-download (rollout-failed: …)" — where and why, for messages. */
export function describeFailure(version: Pick<ImageVersion, 'failure'>): string {
  const f = version.failure;
  return f ? `failed in ${f.tenantId} (namespace ${f.namespace}, ${f.cause}: ${f.reason})` : 'is marked failed';
}

/** Ready to deploy: scanned clean (or scan skipped), and not blocked, failed or retired. */
export function isReady(version: Pick<ImageVersion, 'status' | 'securityScanResult'>): boolean {
  return (version.status === 'ready' || version.status === 'deployed') && version.securityScanResult !== 'failed';
}
