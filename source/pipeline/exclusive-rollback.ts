/**
 * A rollback that holds its tenant/service while it runs: a second one at the same time is
 * refused with a sentence naming the first (who, why, since when) rather than racing it.
 * `ecp serve` calls it; `ecp rollback` and the console should call it too (noted for their owner).
 */
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import { dns1123Problem } from '../domain/names.js';
import { UsageError } from '../errors.js';
import { ServiceBusy, withServiceLock } from '../store/service-lock.js';
import { rollback, type RollbackOptions, type RollbackResult } from './rollback.js';

/** Another change of the same tenant/service is running. */
export class ServiceBusyError extends UsageError {}

export async function exclusiveRollback(core: Core, client: KubeClient, options: RollbackOptions): Promise<RollbackResult> {
  // The names become a lock file's name: checked before anything is touched.
  const problem = dns1123Problem('Tenant', options.tenant) ?? dns1123Problem('Service', options.service);
  if (problem) throw new UsageError(problem);
  const actor = await core.actor();
  try {
    return await withServiceLock(core.config.dataDir, options.tenant, options.service, { action: options.kind ?? 'rollback', actor, reason: options.reason }, () => rollback(core, client, options));
  } catch (error) {
    if (!(error instanceof ServiceBusy)) throw error;
    const h = error.holder;
    throw new ServiceBusyError(`${error.target} is busy: a ${h.action} by ${h.actor} has been running since ${h.since}${h.reason ? ` ("${h.reason}")` : ''}; try again when it is done.`);
  }
}
