/** Which cluster a command talks to: `--sandbox`, else the kubeconfig (and its --context). */
import { openCluster as openSession, type ClusterSession } from '../pipeline/cluster-session.js';
import type { CommandContext } from './command.js';

export function openCluster(ctx: Pick<CommandContext, 'config' | 'flags' | 'env'>): Promise<ClusterSession | undefined> {
  return openSession({ sandbox: ctx.flags.sandbox === true, seed: ctx.config.manifestsDir, context: ctx.config.kubeContext, env: ctx.env });
}
