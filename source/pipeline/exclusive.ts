/**
 * One change at a time per tenant/service (DESIGN §11): deploy, rollback and auto-rollback run
 * holding each tenant/service they change — a Lease in the team store, a lock file in the file
 * store — and a second operator is refused with one sentence naming the first (exit 2, nothing
 * changed) instead of racing it.
 */
import type { Core } from '../core.js';
import { dns1123Problem } from '../domain/names.js';
import { EcpError, errorMessage, UsageError } from '../errors.js';
import { ServiceLost } from '../held-services.js';
import { ServiceBusy } from '../store/backend.js';
import { assertMayChange } from './policy.js';

/** Another change of the same tenant/service is running. */
export class ServiceBusyError extends UsageError {}

/** The run lost its hold on a tenant/service part-way and stopped: what it did before may stay, so exit 1. */
export class ServiceLostError extends EcpError {
  constructor(message: string) {
    super(message, 1);
  }
}

const DOING: Record<string, string> = { deploy: 'deployed', rollback: 'rolled back', 'auto-rollback': 'rolled back automatically', change: 'changed' };

/** "10:42:03": the holder's start, in this machine's time. */
function clockTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString('en-GB', { hour12: false });
}

/** Runs `work` holding every one of `services` of `tenant` (in name order), for `action` by the current actor. */
export async function holdingServices<T>(core: Core, tenant: string, services: readonly string[], action: string, reason: string | undefined, work: () => Promise<T>): Promise<T> {
  for (const service of services) {
    // The names become a Lease's or a lock file's name: checked before anything is touched.
    const problem = dns1123Problem('Tenant', tenant) ?? dns1123Problem('Service', service);
    if (problem) throw new UsageError(problem);
  }
  // Policy first: a read-only or unlisted user meets that sentence, not a Lease they may not take.
  const actor = await assertMayChange(core, action);
  const hold = (rest: readonly string[]): Promise<T> => (rest.length === 0 ? work() : core.store.holdService(tenant, rest[0]!, { action, actor, reason }, () => hold(rest.slice(1))));
  try {
    return await hold([...new Set(services)].sort());
  } catch (error) {
    if (error instanceof ServiceLost) throw await stoppedAfterLoss(core, actor, action, reason, error);
    if (!(error instanceof ServiceBusy)) throw error;
    const h = error.holder;
    throw new ServiceBusyError(`${error.service} in ${error.tenant} is being ${DOING[h.action] ?? `changed (${h.action})`} by ${h.actor} since ${clockTime(h.since)} (${error.held}).`);
  }
}

/**
 * Audits the loss (this write is outside the hold, so it is not refused: the head's
 * compare-and-swap keeps it safe beside the new holder's writes) and says it in one sentence.
 */
async function stoppedAfterLoss(core: Core, actor: string, action: string, reason: string | undefined, lost: ServiceLost): Promise<ServiceLostError> {
  const said = `${action} of ${lost.service} in ${lost.tenant} lost the ${lost.held} to ${lost.to} at ${clockTime(lost.at.toISOString())}; stopped before ${lost.before}, and what it changed until then stays (ecp --once shows how it stands)`;
  try {
    await core.audit.append({
      actor,
      action: `${action}.lost-hold`,
      target: `${lost.tenant}/${lost.service}`,
      details: { held: lost.held, to: lost.to, at: lost.at.toISOString(), stoppedBefore: lost.before, reason: reason ?? null },
    });
    return new ServiceLostError(`${said}.`);
  } catch (error) {
    return new ServiceLostError(`${said}; the audit event saying so could not be written: ${errorMessage(error)}`);
  }
}
