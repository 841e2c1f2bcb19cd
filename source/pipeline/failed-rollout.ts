/**
 * A rollout that failed, closed the one way `ecp deploy`, `ecp rollback` and the monitor all close
 * it: why it failed read from the cluster (and emitted), the record closed failed with that
 * diagnosis, and the version marked failed where it failed.
 */
import type { KubeClient } from '../adapters/kube.js';
import type { Core } from '../core.js';
import type { DeploymentRecord } from '../domain/types.js';
import { explainFailedRollout } from './diagnosis.js';
import type { EventSink } from './events.js';
import { closeRecord } from './records.js';
import type { WorkloadRef } from './update-manifests.js';
import { markRolloutFailed } from './versions.js';

export interface FailedRollout {
  recordId: string;
  /** The workloads whose rollout failed: what the diagnosis reads. */
  workloads: readonly WorkloadRef[];
  /** Why it failed, in one line (the record's message). */
  reason: string;
  gitTag?: string;
  tenant?: string;
  /** Only a record still pending or progressing (the monitor: a CLI may have closed it meanwhile). */
  ifOpen?: boolean;
}

/** The closed record, or undefined when `ifOpen` and it was closed already. */
export async function closeFailedRollout(core: Core, client: KubeClient, failed: FailedRollout, emit: EventSink): Promise<DeploymentRecord | undefined> {
  const diagnosis = await explainFailedRollout(client, failed.workloads, emit, failed.tenant);
  const closed = await closeRecord(core, failed.recordId, { status: 'failed', message: failed.reason, gitTag: failed.gitTag, diagnosis }, failed.ifOpen);
  if (closed) await markRolloutFailed(core, closed);
  return closed;
}
