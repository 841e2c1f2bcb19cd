/**
 * The tenant/services the running operation holds (a Lease in the team store, a lock file in the
 * file store), so that every write can first confirm it still holds them. A holder paused past
 * its lease (SIGSTOP, a frozen VM) may find another operator has taken over: it must stop there,
 * before it changes what the other now changes. The holds follow the async context of the work
 * they guard, so a write outside it (the audit event that says the lease was lost) is not refused.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Hold {
  /** Resolves while the hold is still ours; throws ServiceLost once it is not. */
  confirm(before: string): Promise<void>;
}

/** The hold on a tenant/service was lost: another holder took it over, or it could not be renewed within its duration. */
export class ServiceLost extends Error {
  constructor(
    readonly tenant: string,
    readonly service: string,
    /** "lease acme-callbot", "lock file …". */
    readonly held: string,
    /** Who holds it now, when known. */
    readonly to: string | undefined,
    readonly at: Date,
    /** The write that was not made: "the store write deploy.start acme". */
    readonly before: string,
  ) {
    super(`lost the ${held} to ${to ?? 'nobody yet (it could not be renewed in time)'} at ${at.toISOString()}; stopped before ${before}`);
  }
}

const holds = new AsyncLocalStorage<readonly Hold[]>();

/** Runs `work` with `hold` added to the holds its writes confirm. */
export function withHold<T>(hold: Hold, work: () => Promise<T>): Promise<T> {
  return holds.run([...(holds.getStore() ?? []), hold], work);
}

/** Throws ServiceLost when a hold of the running operation was lost; `before` names the write it guards. */
export async function confirmHolds(before: string): Promise<void> {
  for (const hold of holds.getStore() ?? []) await hold.confirm(before);
}
