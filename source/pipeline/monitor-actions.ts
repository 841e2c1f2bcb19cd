/**
 * What the monitor does to one service after a pass (issue 6): settle its open deployment record
 * from live state, and roll it back automatically when policy says so. Decided and written here,
 * as every change is; the monitor only loops, logs and remembers what it already handled.
 */
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import { settledOutcome } from '../domain/rollback.js';
import type { ServiceStatus } from '../domain/status.js';
import type { DeploymentRecord } from '../domain/types.js';
import { ignoreEvents } from './events.js';
import { closeFailedRollout } from './failed-rollout.js';
import { closeRecord } from './records.js';
import { rollback, type RollbackOptions, type RollbackResult } from './rollback.js';
import { markVersionFailed } from './versions.js';

/**
 * Closes `latest` if live state settled it (settledOutcome): succeeded, or failed with its
 * diagnosis read from the cluster as the CLI closes a failed rollout. Returns the outcome, or
 * undefined when nothing changed (not settled yet, or closed meanwhile by another).
 */
export async function settleRecord(core: Core, client: KubeClient, row: ServiceStatus, latest: DeploymentRecord | undefined): Promise<'succeeded' | 'failed' | undefined> {
  const status = settledOutcome(row, latest);
  if (!status || !latest) return undefined;
  const closed =
    status === 'succeeded'
      ? await closeRecord(core, latest.id, { status }, true)
      : await closeFailedRollout(core, client, { recordId: latest.id, workloads: row.workloads, reason: row.healthMessage, tenant: row.tenantId, ifOpen: true }, ignoreEvents);
  return closed ? status : undefined;
}

/**
 * The automatic rollback autoRollbackDecision allowed: the deployed image is marked failed (so no
 * default chooses it again), then the service goes back as `ecp rollback` would take it.
 */
export async function autoRollback(
  core: Core,
  client: KubeClient,
  row: ServiceStatus,
  deployed: DeploymentRecord,
  reason: string,
  options: Pick<RollbackOptions, 'timeoutMs' | 'skipRegistryCheck' | 'onEvent'>,
): Promise<RollbackResult> {
  await markVersionFailed(core, deployed.toImage, { tenantId: row.tenantId, namespace: row.namespace, cause: 'auto-rolled-back', reason, recordId: deployed.id });
  return rollback(core, client, { tenant: row.tenantId, service: row.service, reason, kind: 'auto-rollback', ...options });
}
