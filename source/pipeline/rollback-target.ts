/**
 * Where a rollback goes when no version is named (issue 14): one function, for `ecp rollback`
 * and for the console's dialog, over hot and archived records alike. Kept apart from the
 * rollback itself so the console can ask without loading the cluster client.
 */
import type { Core } from '../core.js';
import { chooseRollbackTarget } from '../domain/rollback.js';

/**
 * The target of a rollback without --to, as `ecp rollback` and the console's dialog both choose
 * it: the newest succeeded deploy or rollback (hot or archived) of another image that is
 * neither blocked nor failed (hot or archived).
 */
export async function defaultRollbackTarget(core: Core, tenantId: string, service: string, liveImage: string | undefined): Promise<{ image: string; versionId?: string } | undefined> {
  const hot = (await core.store.read()).deployments;
  const records = [...hot, ...(await core.store.archivedDeployments(tenantId, hot))];
  const versions = await core.store.allVersions(service);
  const chosen = chooseRollbackTarget(records, versions, tenantId, service, liveImage);
  if (!chosen) return undefined;
  return { image: chosen.toImage, versionId: versions.find((v) => v.fullImageName === chosen.toImage)?.id ?? chosen.versionId };
}
