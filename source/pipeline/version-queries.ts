/**
 * Reading versions (the specification's `GET /versions/{service}`): what `ecp versions list` and
 * `versions show` print and what `ecp serve` answers, chosen in one place. `ecp versions list`
 * still does this itself; it should call `listVersions` (noted for the commands' owner).
 */
import type { Core } from '../core.js';
import { dns1123Problem } from '../domain/names.js';
import type { ImageVersion } from '../domain/types.js';
import { UsageError } from '../errors.js';

export interface VersionQuery {
  /** Newest first, at most this many; undefined: all of them. */
  limit?: number;
  /** Archived versions too (otherwise only the hot ones). */
  all?: boolean;
}

/** The versions of `service`, newest first. */
export async function listVersions(core: Pick<Core, 'store'>, service: string, query: VersionQuery = {}): Promise<ImageVersion[]> {
  const problem = dns1123Problem('Service name', service);
  if (problem) throw new UsageError(problem);
  const versions = query.all
    ? await core.store.allVersions(service)
    : (await core.store.read()).versions.filter((v) => v.serviceName === service).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return query.limit === undefined ? versions : versions.slice(0, query.limit);
}

/** One version by id, hot or archived, or undefined. */
export async function findVersion(core: Pick<Core, 'store'>, id: string): Promise<ImageVersion | undefined> {
  return (await core.store.findVersion(id))?.version;
}
