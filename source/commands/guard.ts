/** Read-only mode and roles (issue 8), checked once for every command before it runs. */
import { hasRole } from '../domain/roles.js';
import { UsageError } from '../errors.js';
import type { Command, CommandContext } from './command.js';

export function isMutating(command: Command, ctx: CommandContext): boolean {
  return typeof command.mutating === 'function' ? command.mutating(ctx) : command.mutating === true;
}

export async function guardCommand(command: Command, ctx: CommandContext, actor: () => Promise<string>): Promise<void> {
  const mutating = isMutating(command, ctx);
  if (mutating && ctx.config.readOnly) {
    throw new UsageError(`ecp is in read-only mode (${ctx.flags.readonly ? '--readonly' : `readOnly: true in ${ctx.config.configFile}`}); "${command.name}" would change something and is refused.`);
  }
  const role = command.role ?? (mutating ? 'operator' : undefined);
  if (!role) return;
  const who = await actor();
  if (!hasRole(who, role, ctx.config)) {
    throw new UsageError(`"${command.name}" needs the ${role} role: ${who} is not listed in ${role}s in ${ctx.config.configFile ?? 'ecp.config.yaml'}.`);
  }
}
