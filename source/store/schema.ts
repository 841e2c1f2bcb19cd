/** The store's on-disk shape, its schema version and the migrations that bring old files up. */
import * as z from 'zod/mini';
import '../domain/zod-messages.js';
import type { Approval, DeploymentRecord, ImageVersion } from '../domain/types.js';

export const SCHEMA_VERSION = 1;

export interface StoreData {
  schemaVersion: number;
  versions: ImageVersion[];
  deployments: DeploymentRecord[];
  approvals: Approval[];
}

export function emptyStore(): StoreData {
  return { schemaVersion: SCHEMA_VERSION, versions: [], deployments: [], approvals: [] };
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

export const COLLECTIONS = ['versions', 'deployments', 'approvals'] as const;

/**
 * migrations[n] turns a schema-n file into schema n+1. Schema 0 is a file written before the
 * version was recorded (or by hand): the three collections, perhaps some missing (a collection
 * that is there but is not a list is refused below, never replaced).
 */
export const migrations: Record<number, Migration> = {
  0: (data) => ({ versions: [], deployments: [], approvals: [], ...data, schemaVersion: 1 }),
};

// What every record must have to be used; fields added later pass through untouched.
const text = z.string();
const recordSchemas = {
  versions: z.looseObject({
    id: text,
    serviceName: text,
    imageName: text,
    imageTag: text,
    fullImageName: text,
    gitCommit: text,
    gitBranch: text,
    status: text,
    securityScanResult: text,
    vulnerabilitiesCount: z.number(),
    vulnerabilities: z.record(z.string(), z.number()),
    createdAt: text,
    updatedAt: text,
  }),
  deployments: z.looseObject({ id: text, tenantId: text, namespace: text, serviceName: text, toImage: text, kind: text, status: text, actor: text, startedAt: text }),
  approvals: z.looseObject({ id: text, action: text, tenantId: text, namespace: text, images: z.record(z.string(), z.string()), requestedBy: text, requestedAt: text, status: text }),
};

function recordProblem(key: (typeof COLLECTIONS)[number], list: unknown[]): string | undefined {
  const schema = recordSchemas[key];
  for (const [index, item] of list.entries()) {
    const result = schema.safeParse(item);
    if (result.success) continue;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return `"${key}" item ${index + 1} is not a record (${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item})`;
    const issue = result.error.issues[0]!;
    return `"${key}" item ${index + 1} has ${issue.path.length ? `a bad "${issue.path.join('.')}"` : 'a bad shape'} (${issue.message.replace(/^Invalid input: /, '')})`;
  }
  return undefined;
}

/** Returns the data at SCHEMA_VERSION, or a sentence saying why it is not a store this ecp can use. */
export function migrate(raw: unknown): StoreData | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'it is not a JSON object';
  let data = raw as Record<string, unknown>;
  let version = data.schemaVersion === undefined ? 0 : data.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return `its schemaVersion ${JSON.stringify(version)?.slice(0, 40)} is not a whole number`;
  }
  if (version > SCHEMA_VERSION) {
    return `it has schema version ${version}, newer than this ecp understands (${SCHEMA_VERSION}); upgrade ecp`;
  }
  const unknown = Object.keys(data).filter((k) => k !== 'schemaVersion' && !(COLLECTIONS as readonly string[]).includes(k));
  if (unknown.length)
    return `it has keys a store does not have (${unknown
      .slice(0, 3)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ')})`;
  for (const key of COLLECTIONS) {
    if (data[key] !== undefined && !Array.isArray(data[key])) return `its "${key}" is not a list`;
  }
  while (version < SCHEMA_VERSION) {
    data = migrations[version]!(data);
    version += 1;
  }
  for (const key of COLLECTIONS) {
    if (!Array.isArray(data[key])) return `its "${key}" is not a list`;
    const problem = recordProblem(key, data[key]);
    if (problem) return `its ${problem}`;
  }
  return data as unknown as StoreData;
}
