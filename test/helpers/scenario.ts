/**
 * A whole operator's world for pipeline tests: a real git repository holding k8s-manifests/ and
 * ecp.config.yaml, a store in a temp folder, a sandbox cluster seeded from those manifests (real
 * clock, fast rollout steps), and images pushed to the real registry and registered as ready.
 * Without a registry (`undefined`) images are only registered: such tests skip the registry
 * check (--skip-registry-check), and run without a Docker engine or a registry.
 */
import { loadStoreBackend } from '../../source/store/open.js';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../source/config.js';
import { createCore, type Core } from '../../source/core.js';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import type { Sandbox } from '../../source/sandbox/index.js';
import { startTarget, type ClusterTarget, type TargetKind } from './cluster-target.js';
import { pushTinyImage } from './registry.js';
import { repoRoot, runEcp, runEcpInProcess, type EcpResult } from './run-ecp.js';
import { git, gitRepo, tempDir } from './temp.js';
import { registerImages } from './versions.js';

export interface Scenario {
  repo: string;
  dataDir: string;
  /** The cluster: the sandbox or the real control plane. */
  target: ClusterTarget;
  /** The sandbox itself, for what only it can do; throws on the real control plane. */
  sandbox: Sandbox;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  core: Core;
  client: KubeClient;
  /** Runs a command line in the test's process (runEcpInProcess), against this world. */
  ecp(args: string[], cwd?: string): Promise<EcpResult>;
  /** The same through the real binary, where the process is what is tested. */
  ecpBinary(args: string[], cwd?: string): Promise<EcpResult>;
  /** Pushes `service:tag` to the registry and registers it ready, newest last. */
  release(...images: string[]): Promise<void>;
  manifest(tenant: string, file: string): string;
  liveImage(namespace: string, name: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  /**
   * The registry host the images are named after and ecp checks (default localhost:5000, the
   * shared registry's): a private registry's, or a closed port's for one that never answers.
   */
  imageRegistry?: string;
}

export async function scenario(registry: string | undefined, config = '', kind: TargetKind = 'sandbox', options: ScenarioOptions = {}): Promise<Scenario> {
  const repo = gitRepo();
  const imageRegistry = options.imageRegistry ?? 'localhost:5000';
  cpSync(path.join(repoRoot, 'k8s-manifests'), path.join(repo, 'k8s-manifests'), { recursive: true });
  if (options.imageRegistry) {
    for (const tenant of readdirSync(path.join(repo, 'k8s-manifests'))) {
      for (const file of readdirSync(path.join(repo, 'k8s-manifests', tenant))) {
        const full = path.join(repo, 'k8s-manifests', tenant, file);
        writeFileSync(full, readFileSync(full, 'utf8').replaceAll('localhost:5000/', `${imageRegistry}/`));
      }
    }
  }
  const dataDir = tempDir();
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\n${options.imageRegistry ? `registry: ${imageRegistry}\n` : ''}${config}`);
  writeFileSync(path.join(repo, '.gitignore'), 'kubeconfig\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'tenants');
  const target = await startTarget(kind, { seed: path.join(repo, 'k8s-manifests') });
  const kubeconfig = target.kubeconfig;
  const env = { KUBECONFIG: kubeconfig };
  const loaded = loadConfig({ cwd: repo, env: { ...process.env, ...env } });
  await loadStoreBackend(loaded.store.backend); // as the command line does, before createCore
  const core = createCore(loaded);
  const client = new KubeClient(loadCluster({ env, kubeconfig })!);
  const release = async (...images: string[]) => {
    for (const image of images) {
      const [service, tag] = image.split(':') as [string, string];
      if (registry) await pushTinyImage(registry, `ecp-ai/${service}`, tag);
      await registerImages(dataDir, [`${imageRegistry}/ecp-ai/${service}:${tag}`]);
    }
  };
  await release('callbot:v1.0.0-seed01', 'chatbot:v1.0.0-seed01', 'advisor:v1.0.0-seed01');
  return {
    repo,
    dataDir,
    target,
    get sandbox(): Sandbox {
      if (!target.sandbox) throw new Error(`this test needs the sandbox itself, not the ${target.label}`);
      return target.sandbox;
    },
    kubeconfig,
    env,
    core,
    client,
    ecp: (args, cwd = repo) => runEcpInProcess(args, { cwd, env }),
    ecpBinary: (args, cwd = repo) => runEcp(args, { cwd, env }),
    release,
    manifest: (tenant, file) => path.join(repo, 'k8s-manifests', tenant, file),
    async liveImage(namespace, name) {
      const d = await client.readDeployment(namespace, name);
      return d?.spec?.template?.spec?.containers?.find((c) => c.name === name)?.image;
    },
    stop: () => target.stop(),
  };
}
