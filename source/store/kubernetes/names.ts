/**
 * How the team store names and labels its ConfigMaps: deterministically from the record id (so a
 * second create of one record meets the first), labelled so that every query is a label-selected
 * list. A name or label value that cannot hold the id as it is gets a readable part and a hash.
 */
import { createHash } from 'node:crypto';
import type { Approval, DeploymentRecord, ImageVersion } from '../../domain/types.js';
import type { COLLECTIONS } from '../schema.js';
import { KIND_LABEL, SERVICE_LABEL, TENANT_LABEL } from './objects.js';

export type Collection = (typeof COLLECTIONS)[number];
export type StoredRecord = ImageVersion | DeploymentRecord | Approval;

export const RECORD_KINDS: Record<Collection, string> = { versions: 'version', deployments: 'deployment', approvals: 'approval' };
export const HEAD_NAME = 'ecp-head';
export const HEAD_KIND = 'head';
/** One audit event per object: how stores written before the audit tail moved into the head keep their older events. */
export const EVENT_KIND = 'audit-event';
export const AUDIT_ARCHIVE_KIND = 'audit-archive';
export const VERSION_ARCHIVE_KIND = 'version-archive';
export const DEPLOYMENT_ARCHIVE_KIND = 'deployment-archive';
export const IMAGE_INDEX_KIND = 'archived-images';
/** Buckets of the archived image index: one small read answers "is this image archived?". */
export const IMAGE_BUCKETS = 64;

/** The head and the hot records: what one list returns as a consistent snapshot. */
export const SNAPSHOT_SELECTOR = `app.kubernetes.io/managed-by=ecp,${KIND_LABEL} in (${HEAD_KIND},${Object.values(RECORD_KINDS).join(',')})`;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A DNS-1123 subdomain holding `id` as it is when it can, else a readable part and a hash. */
export function objectName(prefix: string, id: string): string {
  if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(id) && id.length <= 200) return `${prefix}-${id}`;
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 180);
  return `${prefix}-${slug ? `${slug}-` : ''}${hash(id, 10)}`;
}

export function recordName(collection: Collection, id: string): string {
  return objectName(`ecp-${RECORD_KINDS[collection]}`, id);
}

/** Audit events sort by name: the sequence number is zero-padded. */
export function eventName(seq: number): string {
  return `ecp-audit-${String(seq).padStart(10, '0')}`;
}

/** An archive of audit events, named for the sequence number of its first: names sort as the trail does. */
export function auditArchiveName(firstSeq: number): string {
  return `ecp-audit-archive-${String(firstSeq).padStart(10, '0')}`;
}

export function archiveName(kind: typeof VERSION_ARCHIVE_KIND | typeof DEPLOYMENT_ARCHIVE_KIND, owner: string, chunk: number): string {
  return objectName(`ecp-${kind}-${String(chunk).padStart(4, '0')}`, owner);
}

export function imageBucket(fullImageName: string): { name: string; bucket: string } {
  const bucket = (Number.parseInt(hash(fullImageName, 4), 16) % IMAGE_BUCKETS).toString().padStart(2, '0');
  return { name: `ecp-${IMAGE_INDEX_KIND}-${bucket}`, bucket };
}

/** A label value (63 characters of [A-Za-z0-9._-]) for `value`, or a hash of it when it cannot be one. */
export function labelValue(value: string): string {
  return /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(value) ? value : `h-${hash(value, 20)}`;
}

export function recordLabels(collection: Collection, record: StoredRecord): Record<string, string> {
  const labels: Record<string, string> = { [KIND_LABEL]: RECORD_KINDS[collection] };
  if ('serviceName' in record && typeof record.serviceName === 'string') labels[SERVICE_LABEL] = labelValue(record.serviceName);
  if ('tenantId' in record && typeof record.tenantId === 'string') labels[TENANT_LABEL] = labelValue(record.tenantId);
  return labels;
}

export function collectionOfKind(kind: string | undefined): Collection | undefined {
  return (Object.keys(RECORD_KINDS) as Collection[]).find((c) => RECORD_KINDS[c] === kind);
}
