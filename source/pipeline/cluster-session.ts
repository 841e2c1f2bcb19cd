/**
 * Which cluster an entry point talks to (DESIGN §9): `--sandbox` starts an in-process sandbox
 * seeded from the manifests (so everything works on a fresh machine); otherwise the user's
 * kubeconfig. The CLI and the console get a session with its client and never touch the
 * Kubernetes adapter or the sandbox themselves.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KUSTOMIZATION_FILES, renderKustomization } from '../adapters/kustomize.js';
import { KubeClient, loadCluster, type Cluster } from '../adapters/kube.js';
import { routeRegistry } from '../adapters/registry.js';
import { parseImageRef } from '../domain/names.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.js';

export type { KubeClient } from '../adapters/kube.js';

export interface ClusterSession {
  cluster: Cluster;
  client: KubeClient;
  sandbox: boolean;
  close(): Promise<void>;
}

export interface ClusterChoice {
  /** Start a sandbox seeded from `seed` instead of reading the kubeconfig. */
  sandbox: boolean;
  seed: string;
  /** The kubeconfig context (default: its current one). */
  context?: string;
  env: NodeJS.ProcessEnv;
  /** The demo store's images (pipeline/demo-store.ts): the sandbox's registry holds them and answers for their registry hosts. */
  registryImages?: readonly string[];
}

/**
 * Starts a sandbox seeded from a manifests folder, Kustomize overlays with the objects they
 * render (issue 20): the sandbox reads plain YAML files, so the overlays are rendered into a
 * folder of its own, beside links to the plain tenants, read at start and removed at once. An
 * overlay that does not render seeds nothing (ecp's commands say why).
 */
export async function startSeededSandbox(options: SandboxOptions & { seed: string }): Promise<Sandbox> {
  const overlays = existsSync(options.seed)
    ? readdirSync(options.seed, { withFileTypes: true })
        .filter((e) => e.isDirectory() && KUSTOMIZATION_FILES.some((f) => existsSync(path.join(options.seed, e.name, f))))
        .map((e) => e.name)
    : [];
  if (overlays.length === 0) return startSandbox(options);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-seed-'));
  try {
    for (const entry of readdirSync(options.seed, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const from = path.join(options.seed, entry.name);
      if (!overlays.includes(entry.name)) {
        symlinkSync(from, path.join(dir, entry.name));
        continue;
      }
      const rendered = await renderKustomization(from);
      if (!rendered.ok) continue;
      const to = path.join(dir, entry.name);
      mkdirSync(to);
      writeFileSync(path.join(to, 'rendered.yaml'), rendered.text);
    }
    return await startSandbox({ ...options, seed: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The session, or undefined when no cluster is configured (no kubeconfig, no --sandbox). */
export async function openCluster(choice: ClusterChoice): Promise<ClusterSession | undefined> {
  if (choice.sandbox) {
    const images = choice.registryImages ?? [];
    // Nothing reads its request log: a record is ~640 bytes, and the console makes hundreds a minute when scrolling.
    const sandbox = await startSeededSandbox({ port: 0, seed: choice.seed, registryImages: images, requestLog: 0 });
    for (const host of new Set(images.map((image) => parseImageRef(image).registry))) routeRegistry(host, sandbox.url);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-sandbox-'));
    let loaded: Cluster;
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      await sandbox.writeKubeconfig(kubeconfig);
      loaded = loadCluster({ env: choice.env, kubeconfig })!;
    } catch (error) {
      // A refused setting (ECP_KUBE_TIMEOUT) must not leave the sandbox's server holding the process open.
      await sandbox.stop();
      throw error;
    } finally {
      // The client keeps the kubeconfig it read; the file goes at once, so no exit path (a closed terminal) leaves it.
      rmSync(dir, { recursive: true, force: true });
    }
    const cluster = { ...loaded, description: `SANDBOX (${loaded.server})` };
    return { cluster, client: new KubeClient(cluster), sandbox: true, close: () => sandbox.stop() };
  }
  const cluster = loadCluster({ env: choice.env, context: choice.context });
  return cluster ? { cluster, client: new KubeClient(cluster), sandbox: false, close: async () => undefined } : undefined;
}
