/**
 * The policy every mutating pipeline operation checks at its top (DESIGN §10): read-only mode
 * and the role its actor needs. An entry point (CLI, console, server) cannot forget it, since
 * the operation asks for itself; the CLI's guard asks the same before it starts anything.
 */
import type { Core } from '../core.js';
import { hasRole, type Role } from '../domain/roles.js';
import { UsageError } from '../errors.js';

/** Throws a UsageError naming `action` when it may not change anything now; returns the actor. */
export async function assertMayChange(core: Pick<Core, 'config' | 'actor'>, action: string, role: Role = 'operator'): Promise<string> {
  const { config } = core;
  if (config.readOnly) throw new UsageError(`ecp is in read-only mode (readOnly: true or --readonly); "${action}" would change something and is refused.`);
  const actor = await core.actor();
  if (!hasRole(actor, role, config)) {
    throw new UsageError(`"${action}" needs the ${role} role: ${actor} is not listed in ${role}s in ${config.configFile ?? 'ecp.config.yaml'}.`);
  }
  return actor;
}
