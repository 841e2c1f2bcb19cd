/** The store's on-disk shape, its schema version and the migrations that bring old files up. */
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

/**
 * migrations[n] turns a schema-n file into schema n+1. Schema 0 is a file written before the
 * version was recorded (or by hand): the three collections, perhaps some missing.
 */
export const migrations: Record<number, Migration> = {
  0: (data) => ({
    schemaVersion: 1,
    versions: Array.isArray(data.versions) ? data.versions : [],
    deployments: Array.isArray(data.deployments) ? data.deployments : [],
    approvals: Array.isArray(data.approvals) ? data.approvals : [],
  }),
};

/** Returns the data at SCHEMA_VERSION, or a sentence saying why it cannot be brought there. */
export function migrate(raw: unknown): StoreData | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'it is not a JSON object';
  let data = raw as Record<string, unknown>;
  let version = data.schemaVersion === undefined ? 0 : data.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return `its schemaVersion ${JSON.stringify(version)} is not a whole number`;
  }
  if (version > SCHEMA_VERSION) {
    return `it has schema version ${version}, newer than this ecp understands (${SCHEMA_VERSION}); upgrade ecp`;
  }
  while (version < SCHEMA_VERSION) {
    data = migrations[version]!(data);
    version += 1;
  }
  for (const key of ['versions', 'deployments', 'approvals'] as const) {
    if (!Array.isArray(data[key])) return `its "${key}" is not a list`;
  }
  return data as unknown as StoreData;
}
