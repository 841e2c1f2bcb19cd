/**
 * What the pipeline needs of a store, whichever backend keeps it (DESIGN §11): the file backend
 * (`Store`, `AuditLog`) implements it; a kubernetes backend implements the same calls with the
 * API's own concurrency (create-if-absent, resourceVersion compare-and-swap on records and on the
 * audit head). A change and the audit events that record it are one unit: `update` commits both
 * or neither.
 */
import type { AuditEvent, DeploymentRecord, ImageVersion } from '../domain/types.js';
import type { AuditAnchor, AuditVerdict, NewAuditEvent } from './audit.js';
import type { AuditHead } from './journal.js';
import type { StoreData } from './schema.js';

/** What an update may add to its unit besides the record changes: the audit events that record it. */
export interface UpdateUnit {
  audit(event: NewAuditEvent): void;
}

export interface AuditTrail {
  append(event: NewAuditEvent): Promise<AuditEvent>;
  appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]>;
  list(limit?: number): Promise<AuditEvent[]>;
  /** The acknowledged head (count and last hash), for anchoring it elsewhere. */
  head(): Promise<AuditHead>;
  verify(anchors?: readonly AuditAnchor[]): Promise<AuditVerdict>;
  /** Removes a crash tail only, recording what it removed. */
  repair(actor: string): Promise<{ repaired: boolean; message: string }>;
}

export interface StoreBackend {
  readonly audit: AuditTrail;
  /** A consistent snapshot of the hot records. */
  read(): Promise<StoreData>;
  /** Runs `mutate` on fresh data and commits its changes with the events it queued, as one unit; a throw writes nothing. */
  update<T>(mutate: (data: StoreData, unit: UpdateUnit) => T | Promise<T>): Promise<T>;
  isImageArchived(fullImageName: string): Promise<boolean>;
  archivedVersions(service: string, hot?: readonly ImageVersion[]): Promise<ImageVersion[]>;
  archivedDeployments(tenant: string, hot?: readonly DeploymentRecord[]): Promise<DeploymentRecord[]>;
  findVersion(id: string): Promise<{ version: ImageVersion; archived: boolean } | undefined>;
  allVersions(service: string): Promise<ImageVersion[]>;
}
