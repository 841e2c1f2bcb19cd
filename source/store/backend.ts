/**
 * What the pipeline needs of a store, whichever backend keeps it (DESIGN §11): the file backend
 * (`Store`, `AuditLog`) implements it; a kubernetes backend implements the same calls with the
 * API's own concurrency (create-if-absent, resourceVersion compare-and-swap on records and on the
 * audit head). A change and the audit events that record it are one unit: `update` commits both
 * or neither.
 */
import type { Approval, AuditEvent, DeploymentRecord, ImageVersion } from '../domain/types.js';
import type { AuditAnchor, AuditVerdict, NewAuditEvent } from './audit.js';
import type { AuditHead } from './journal.js';
import type { StoreData } from './schema.js';

/** What an update may add to its unit besides the record changes: the audit events that record it. */
export interface UpdateUnit {
  audit(event: NewAuditEvent): void;
}

export interface AuditTrail {
  /** Where the trail is kept, for messages: a file, or the namespace and cluster of the team store. */
  readonly where: string;
  append(event: NewAuditEvent): Promise<AuditEvent>;
  appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]>;
  list(limit?: number): Promise<AuditEvent[]>;
  /** The acknowledged head (count and last hash), for anchoring it elsewhere. */
  head(): Promise<AuditHead>;
  verify(anchors?: readonly AuditAnchor[]): Promise<AuditVerdict>;
  /** Removes a crash tail only, recording what it removed. */
  repair(actor: string): Promise<{ repaired: boolean; message: string }>;
}

/** Everything a store holds, hot and archived, and the audit trail's lines exactly as chained: what `ecp store migrate` copies. */
export interface StoreHistory {
  versions: ImageVersion[];
  deployments: DeploymentRecord[];
  approvals: Approval[];
  auditLines: string[];
}

/** Who runs a change of one tenant/service, for the sentence another operator meets. */
export interface ServiceHolder {
  /** deploy, rollback or auto-rollback. */
  action: string;
  actor: string;
  reason?: string;
}

/** Another change of the tenant/service runs: who, what, since when, and what it holds ("lease acme-callbot"). */
export class ServiceBusy extends Error {
  constructor(
    readonly tenant: string,
    readonly service: string,
    readonly holder: ServiceHolder & { since: string },
    readonly held: string,
  ) {
    super(`${service} in ${tenant} is busy`);
  }
}

/** How long a holder that stopped renewing keeps its tenant/service (ECP_LEASE_SECONDS, 2–300; default 15). */
export function leaseSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.ECP_LEASE_SECONDS);
  return Number.isInteger(value) && value >= 2 && value <= 300 ? value : 15;
}

export interface StoreBackend {
  readonly audit: AuditTrail;
  /** Where the store is kept, for messages: the data dir, or the namespace and cluster. */
  readonly where: string;
  /** A consistent snapshot of the hot records. */
  read(): Promise<StoreData>;
  /** Runs `mutate` on fresh data and commits its changes with the events it queued, as one unit; a throw writes nothing. */
  update<T>(mutate: (data: StoreData, unit: UpdateUnit) => T | Promise<T>): Promise<T>;
  isImageArchived(fullImageName: string): Promise<boolean>;
  archivedVersions(service: string, hot?: readonly ImageVersion[]): Promise<ImageVersion[]>;
  archivedDeployments(tenant: string, hot?: readonly DeploymentRecord[]): Promise<DeploymentRecord[]>;
  findVersion(id: string): Promise<{ version: ImageVersion; archived: boolean } | undefined>;
  allVersions(service: string): Promise<ImageVersion[]>;
  /**
   * Runs `work` as the one change of `tenant/service` (a Lease, or a lock file), renewed while it
   * runs and released after; throws ServiceBusy while a live holder has it. A holder that died
   * is taken over once its hold expires.
   */
  holdService<T>(tenant: string, service: string, holder: ServiceHolder, work: () => Promise<T>): Promise<T>;
  /** Every record, hot and archived, and the audit lines. */
  history(): Promise<StoreHistory>;
  /** Calls `onChange` whenever another process changes the store (the team store watches it); returns a stop function. */
  watch?(onChange: () => void): () => void;
  /**
   * Adds records this store does not hold and audit lines that continue its trail (their first
   * `prev` is the hash its trail ends with), as `ecp store migrate` copies them; retention applies.
   */
  importHistory(part: StoreHistory): Promise<void>;
}
