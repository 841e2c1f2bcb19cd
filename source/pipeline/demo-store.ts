/**
 * The demo store of `ecp --sandbox` (issue 15 item 10): a data dir of its own in a temp folder,
 * so the demo never writes the user's data/, seeded from the manifests so that the first run
 * shows every tenant Synced, Healthy and ready, with a short history behind each service: per
 * service image in the manifests, an earlier version deployed three days ago, the manifest's
 * version deployed yesterday, and a newer one registered ready (so update, deploy and rollback
 * each have something to do). The sandbox's registry holds every image named here, so the
 * registry checks of the demo are answered with nothing else running.
 *
 * Only when the data dir is the default one: a data dir chosen by flag, environment or config
 * file is the user's choice and is used as it is, sandbox or not.
 *
 * The demo's manifests are a copy too, in a git work tree of its own beside the store: a demo
 * deploy, update or rollback commits and tags there, never in the user's repository (whose
 * tree stays as it was), and the copy goes with the store when the process exits.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitAt } from '../adapters/git.js';
import { currentActor } from '../adapters/identity.js';
import { loadTenants } from '../adapters/manifests.js';
import type { Config } from '../config.js';
import { createCore } from '../core.js';
import type { DeploymentRecord, ImageVersion } from '../domain/types.js';
import { newVersion } from '../domain/versions.js';

export interface DemoStore {
  /** The config with the demo's data dir. */
  config: Config;
  /** Every image the demo's versions name: what the sandbox's registry is to hold. */
  images: string[];
}

const DEMO_ACTOR = 'demo@ecp-sandbox';
const DAY = 86_400_000;

/**
 * The demo store `--sandbox` runs on, or undefined when the data dir is one the user chose
 * (`dataDirChosen`: a flag or the environment; a config file's differs from `cwd`'s data/).
 */
export async function demoStoreFor(config: Config, cwd: string, dataDirChosen: boolean): Promise<DemoStore | undefined> {
  if (dataDirChosen || config.dataDir !== path.resolve(cwd, 'data')) return undefined;
  return openDemoStore(config);
}

/** A tag before and after the manifest's, for the demo history: `v1.0.0-seed01` → `v0.9.0-demo`, `v1.1.0-demo`. */
function neighbourTags(tag: string): [string, string] {
  const semver = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  const [major, minor] = [Number(semver?.[1]), Number(semver?.[2])];
  if (!semver || major + minor === 0) return [`${tag}-demo-previous`, `${tag}-demo-next`];
  const previous = minor > 0 ? `v${major}.${minor - 1}.0-demo` : `v${major - 1}.9.0-demo`;
  return [previous, `v${major}.${minor + 1}.0-demo`];
}

/** Creates and seeds the demo store; the temp folder goes when the process exits. */
async function openDemoStore(config: Config): Promise<DemoStore> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-demo-'));
  process.once('exit', () => rmSync(work, { recursive: true, force: true }));
  const dataDir = path.join(work, 'data');
  const manifestsDir = path.join(work, 'k8s-manifests');
  if (existsSync(config.manifestsDir)) cpSync(config.manifestsDir, manifestsDir, { recursive: true });
  else mkdirSync(manifestsDir);
  // Commits there carry the user's own identity, so the demo's records and events name them.
  const git = gitAt(work);
  await git.init(['-q', '-b', 'main']);
  await git.addConfig('user.email', await currentActor(config.baseDir));
  await git.addConfig('user.name', 'ecp demo');
  await git.add(['-A']);
  await git.commit('the demo manifests, copied from the project', undefined, { '--allow-empty': null });
  // A file store even when the config names the team store: the demo's history never reaches the team's.
  const demo: Config = { ...config, dataDir, manifestsDir, baseDir: work, store: { ...config.store, backend: 'file' } };
  // Manifests that do not load give an empty demo store: the console and the commands report them.
  const tenants = await loadTenants(demo).catch(() => []);
  const now = Date.now();
  const versions: ImageVersion[] = [];
  const byImage = new Map<string, ImageVersion>();
  const register = (service: string, repository: string, tag: string, ageMs: number): ImageVersion => {
    const full = `${repository}:${tag}`;
    const known = byImage.get(full);
    if (known) return known;
    const input = {
      serviceName: service,
      imageName: repository,
      imageTag: tag,
      fullImageName: full,
      gitCommit: 'd3m0c0de',
      gitBranch: 'main',
      status: 'ready' as const,
      securityScanResult: 'passed' as const,
    };
    const version = newVersion(input, new Date(now - ageMs), new Set(versions.map((v) => v.id)), DEMO_ACTOR);
    versions.push(version);
    byImage.set(full, version);
    return version;
  };
  const deployments: DeploymentRecord[] = [];
  for (const tenant of tenants) {
    for (const service of tenant.services) {
      if (!service.tag || service.digest) continue;
      const [previousTag, nextTag] = neighbourTags(service.tag);
      const repository = service.image.slice(0, service.image.length - service.tag.length - 1);
      const previous = register(service.name, repository, previousTag, 4 * DAY);
      const current = register(service.name, repository, service.tag, 2 * DAY);
      register(service.name, repository, nextTag, DAY / 2);
      const record = (from: ImageVersion | undefined, to: ImageVersion, ageMs: number): DeploymentRecord => ({
        id: `dep-demo-${deployments.length + 1}`,
        tenantId: tenant.id,
        namespace: service.namespace,
        serviceName: service.name,
        fromImage: from?.fullImageName,
        toImage: to.fullImageName,
        versionId: to.id,
        kind: 'deploy',
        status: 'succeeded',
        reason: 'demo history',
        actor: DEMO_ACTOR,
        startedAt: new Date(now - ageMs).toISOString(),
        finishedAt: new Date(now - ageMs + 42_000).toISOString(),
        durationMs: 42_000,
      });
      deployments.push(record(undefined, previous, 3 * DAY), record(previous, current, DAY));
    }
  }
  const core = createCore(demo);
  await core.store.update((data, unit) => {
    data.versions.push(...versions);
    data.deployments.push(...deployments);
    unit.audit({ actor: DEMO_ACTOR, action: 'demo.seed', target: dataDir, details: { versions: versions.length, deployments: deployments.length } });
  });
  return { config: demo, images: versions.map((v) => v.fullImageName) };
}
