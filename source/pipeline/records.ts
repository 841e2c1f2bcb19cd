/** Deployment records (DESIGN §5): opened when a change starts, closed with its outcome. */
import { randomUUID } from 'node:crypto';
import type { Core } from '../core.js';
import type { DeploymentRecord, DeploymentStatus } from '../domain/types.js';
import type { NewAuditEvent } from '../store/audit.js';

/** What a caller says about a change; the id, status and times are the record's own. */
export type NewRecord = Pick<DeploymentRecord, 'tenantId' | 'namespace' | 'serviceName' | 'fromImage' | 'toImage' | 'versionId' | 'kind' | 'reason' | 'actor'> &
  Partial<Pick<DeploymentRecord, 'warnings'>>;

/** `audit`: the event that records the opening, written with the record as one unit. */
export async function openRecord(core: Core, input: NewRecord, status: DeploymentStatus = 'progressing', audit?: (record: DeploymentRecord) => NewAuditEvent): Promise<DeploymentRecord> {
  const record: DeploymentRecord = {
    id: `dep-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`,
    ...input,
    status,
    startedAt: new Date().toISOString(),
  };
  await core.store.update((data, unit) => {
    data.deployments.push(record);
    if (audit) unit.audit(audit(record));
  });
  return record;
}

/** Closes record `id` with its outcome; `ifOpen`: only a record still pending or progressing (the monitor). */
export async function closeRecord(
  core: Core,
  id: string,
  outcome: { status: 'succeeded' | 'failed'; message?: string; gitTag?: string; diagnosis?: string[] },
  ifOpen = false,
): Promise<DeploymentRecord | undefined> {
  return core.store.update((data) => {
    const record = data.deployments.find((d) => d.id === id);
    if (!record) return undefined;
    if (ifOpen && record.status !== 'pending' && record.status !== 'progressing') return undefined;
    const finishedAt = new Date();
    record.status = outcome.status;
    record.finishedAt = finishedAt.toISOString();
    record.durationMs = finishedAt.getTime() - Date.parse(record.startedAt);
    if (outcome.message) record.message = outcome.message;
    if (outcome.gitTag) record.gitTag = outcome.gitTag;
    if (outcome.diagnosis?.length) record.diagnosis = outcome.diagnosis;
    return { ...record };
  });
}
