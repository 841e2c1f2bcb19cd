/**
 * Which cluster a command talks to: `--sandbox` starts an in-process sandbox seeded from the
 * manifests (so everything works on a fresh machine); otherwise the user's kubeconfig.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCluster, type Cluster } from '../adapters/kube.js';
import { startSandbox } from '../sandbox/index.js';
import type { CommandContext } from './command.js';

export interface ClusterSession {
  cluster: Cluster;
  sandbox: boolean;
  close(): Promise<void>;
}

export async function openCluster(ctx: Pick<CommandContext, 'config' | 'flags' | 'env'>): Promise<ClusterSession | undefined> {
  if (ctx.flags.sandbox === true) {
    const sandbox = await startSandbox({ port: 0, seed: ctx.config.manifestsDir });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-sandbox-'));
    let cluster: Cluster;
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      await sandbox.writeKubeconfig(kubeconfig);
      cluster = loadCluster({ env: ctx.env, kubeconfig })!;
    } finally {
      // The client keeps the kubeconfig it read; the file goes at once, so no exit path (a closed terminal) leaves it.
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      cluster: { ...cluster, description: `SANDBOX (${cluster.server})` },
      sandbox: true,
      close: () => sandbox.stop(),
    };
  }
  const cluster = loadCluster({ env: ctx.env, context: ctx.config.kubeContext });
  return cluster ? { cluster, sandbox: false, close: async () => undefined } : undefined;
}
