/**
 * The Core a request runs with: the server's, acting as the token's identity. The role lists the
 * pipeline checks are narrowed to exactly the token's role, so the pipeline's own check agrees
 * with the token (the lists' "empty means everyone" never widens a token).
 */
import type { Core } from '../core.js';
import type { Principal } from './principal.js';

/** An identity no token has: a list holding only it admits no one. */
const NO_ONE = '';

export function requestCore(base: Core, principal: Principal): Core {
  const only = (role: Principal['role']) => (principal.role === role ? [principal.identity] : [NO_ONE]);
  return {
    ...base,
    config: { ...base.config, operators: only('operator'), approvers: only('approver') },
    actor: async () => principal.identity,
  };
}
