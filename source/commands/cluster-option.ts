/** Which cluster a command talks to: `--sandbox`, else the kubeconfig (and its --context). */
import { UsageError } from '../errors.js';
import { openCluster as openSession, type ClusterSession } from '../pipeline/cluster-session.js';
import type { CommandContext } from './command.js';

const NO_CLUSTER = 'No cluster is configured: set KUBECONFIG (or ~/.kube/config), pass --context, or use --sandbox.';

export function openCluster(ctx: Pick<CommandContext, 'config' | 'flags' | 'env' | 'demoImages'>): Promise<ClusterSession | undefined> {
  return openSession({ sandbox: ctx.flags.sandbox === true, seed: ctx.config.manifestsDir, context: ctx.config.kubeContext, env: ctx.env, registryImages: ctx.demoImages });
}

/** The session, or a UsageError saying how to configure one. */
export async function requireCluster(ctx: Pick<CommandContext, 'config' | 'flags' | 'env' | 'demoImages'>): Promise<ClusterSession> {
  const session = await openCluster(ctx);
  if (!session) throw new UsageError(NO_CLUSTER);
  return session;
}
