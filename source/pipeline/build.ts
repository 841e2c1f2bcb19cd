/**
 * Build, push and register service images (issue 4). A function over the Docker adapter, git
 * and the store that emits progress events and never prints.
 *
 * - Up to `concurrency` builds run at once; one failure does not stop the others.
 * - A pushed image is registered as a version (status pushed, scan pending) with its digest,
 *   size, build duration, git commit and branch, and an audit event.
 * - A failed build or push registers nothing (a version is an image that exists in the
 *   registry); it is recorded in the audit trail as `build.failed` and returned as failed.
 * - An image already registered under the same name is not pushed again: when the new build is
 *   the very image that was pushed (same digest) the service is `unchanged`; when it differs,
 *   the service fails, since a registered tag must keep pointing at what was scanned.
 * - With `push: false` images are built only, nothing is registered.
 */
import os from 'node:os';
import { headFacts } from '../adapters/git.js';
import { DockerEngine, ImageBuildError, type DockerProgress } from '../adapters/docker.js';
import { serviceRepository, type ServiceBuildConfig } from '../config.js';
import type { Core } from '../core.js';
import type { GitHeadFacts } from '../domain/image-tag.js';
import type { ImageVersion } from '../domain/types.js';
import { errorMessage } from '../errors.js';
import { buildTags } from './build-targets.js';
import { assertMayChange } from './policy.js';
import { mapLimit } from './concurrency.js';
import { registerVersion, VersionExistsError } from './versions.js';

export type BuildStep = 'queued' | 'build' | 'output' | 'push' | 'register' | 'done' | 'unchanged' | 'failed';

export interface BuildEvent {
  service: string;
  step: BuildStep;
  message: string;
  image?: string;
  digest?: string;
  versionId?: string;
  durationMs?: number;
}

export type BuildEmit = (event: BuildEvent) => void;

export interface BuildServicesOptions {
  /** Builds at once; default the number of CPUs. */
  concurrency?: number;
  /** Push and register (default true); false builds only. */
  push?: boolean;
  /** Engine to use; default one from the environment (DOCKER_HOST). */
  engine?: DockerEngine;
  env?: NodeJS.ProcessEnv;
  /** Clock, for tags that carry a timestamp. */
  now?: () => Date;
}

export type BuildOutcome = 'pushed' | 'built' | 'unchanged' | 'failed';

export interface BuildResult {
  service: string;
  outcome: BuildOutcome;
  image: string;
  tag: string;
  versionId?: string;
  digest?: string;
  sizeBytes?: number;
  buildDurationMs?: number;
  pushDurationMs?: number;
  error?: string;
}

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export async function buildServices(core: Core, services: readonly ServiceBuildConfig[], options: BuildServicesOptions, emit: BuildEmit): Promise<BuildResult[]> {
  const { config } = core;
  const push = options.push !== false;
  // Building locally changes nothing shared; pushing and registering do.
  const actor = push ? await assertMayChange(core, 'build') : await core.actor();
  const concurrency = options.concurrency ?? defaultConcurrency();
  const engine = options.engine ?? new DockerEngine(options.env);
  await engine.ping();

  const facts = await headFacts(config.baseDir);
  const now = (options.now ?? (() => new Date()))();
  const tags = buildTags(
    config,
    facts,
    services.map((s) => s.name),
    now,
  );
  const snapshot = await core.store.read();

  for (const service of services) {
    emit({ service: service.name, step: 'queued', message: `queued as ${serviceRepository(config, service.name)}:${tags.get(service.name)}` });
  }

  return mapLimit(services, concurrency, (service) =>
    buildOne(core, service, {
      engine,
      push,
      tag: tags.get(service.name)!,
      facts,
      actor,
      previous: previousImage(snapshot.versions, service.name),
      env: options.env ?? process.env,
      emit,
    }),
  );
}

/** The newest registered image of a service, to seed the layer cache. */
function previousImage(versions: readonly ImageVersion[], service: string): string | undefined {
  let newest: ImageVersion | undefined;
  for (const v of versions) {
    if (v.serviceName !== service || v.status === 'failed') continue;
    if (!newest || v.createdAt > newest.createdAt) newest = v;
  }
  return newest?.fullImageName;
}

interface OneBuild {
  engine: DockerEngine;
  push: boolean;
  tag: string;
  facts: GitHeadFacts;
  actor: string;
  previous?: string;
  env: NodeJS.ProcessEnv;
  emit: BuildEmit;
}

async function buildOne(core: Core, service: ServiceBuildConfig, job: OneBuild): Promise<BuildResult> {
  const { config } = core;
  const name = service.name;
  const repository = serviceRepository(config, name);
  const image = `${repository}:${job.tag}`;
  const emit = (step: BuildStep, message: string, extra: Partial<BuildEvent> = {}) => job.emit({ service: name, step, message, image, ...extra });
  const progress = (p: DockerProgress) => emit(p.kind === 'output' ? 'output' : p.kind === 'step' ? 'build' : 'push', p.message);
  const result: BuildResult = { service: name, outcome: 'failed', image, tag: job.tag };

  try {
    const cacheFrom = job.previous && job.previous !== image ? [job.previous] : [];
    emit('build', `building ${image}${cacheFrom.length ? ` (cache from ${cacheFrom[0]})` : ''}`);
    const started = Date.now();
    await job.engine.build(
      {
        context: service.context,
        dockerfile: service.dockerfile,
        image,
        buildArgs: service.buildArgs,
        target: service.target,
        labels: {
          'org.opencontainers.image.revision': job.facts.commit,
          'io.ecp.service': name,
        },
        cacheFrom,
      },
      progress,
    );
    result.buildDurationMs = Date.now() - started;
    const facts = await job.engine.inspect(image);
    result.sizeBytes = facts?.sizeBytes;
    emit('build', `built ${image} in ${(result.buildDurationMs / 1000).toFixed(1)} s`, { durationMs: result.buildDurationMs });

    if (!job.push) {
      result.outcome = 'built';
      emit('done', `built ${image} (not pushed)`);
      return result;
    }

    // An image already registered under this name keeps pointing at what was registered.
    const registered = await findRegistered(core, name, image);
    if (registered) {
      const same = registered.digest !== undefined && (facts?.repoDigests ?? []).includes(`${repository}@${registered.digest}`);
      if (!same) {
        throw new ImageBuildError(
          `${image} is already registered as version ${registered.id}${registered.digest ? ` (digest ${registered.digest})` : ''} and this build differs from it; commit the change so the build gets a new tag.`,
        );
      }
      result.outcome = 'unchanged';
      result.versionId = registered.id;
      result.digest = registered.digest;
      emit('unchanged', `unchanged: the same image is registered as ${registered.id}`, { versionId: registered.id, digest: registered.digest });
      return result;
    }

    emit('push', `pushing ${image}`);
    const pushStarted = Date.now();
    const { digest } = await job.engine.push(image, progress, job.env);
    result.pushDurationMs = Date.now() - pushStarted;
    result.digest = digest;
    emit('push', `pushed ${digest}`, { digest, durationMs: result.pushDurationMs });

    let version: ImageVersion;
    try {
      version = await registerVersion(
        core,
        {
          serviceName: name,
          imageName: repository,
          imageTag: job.tag,
          fullImageName: image,
          gitCommit: job.facts.commit,
          gitBranch: job.facts.branch ?? 'detached',
          digest,
          status: 'pushed',
          securityScanResult: 'pending',
          buildDurationMs: result.buildDurationMs,
          sizeBytes: result.sizeBytes,
        },
        { digest, sizeBytes: result.sizeBytes, buildDurationMs: result.buildDurationMs, by: 'build' },
      );
    } catch (error) {
      if (error instanceof VersionExistsError) throw new ImageBuildError(`${image} was registered by someone else while it was being built.`);
      throw error;
    }
    result.outcome = 'pushed';
    result.versionId = version.id;
    emit('register', `registered as ${version.id}`, { versionId: version.id, digest });
    emit('done', `pushed ${image}`, { versionId: version.id, digest });
    return result;
  } catch (error) {
    // Whatever went wrong (a failed step, a refused push, an engine gone away), it is this
    // service's failure; the other builds go on.
    result.outcome = 'failed';
    result.error = errorMessage(error);
    emit('failed', result.error);
    await core.audit.append({ actor: job.actor, action: 'build.failed', target: name, details: { image, error: result.error } }).catch(() => undefined);
    return result;
  }
}

async function findRegistered(core: Core, service: string, image: string): Promise<ImageVersion | undefined> {
  const hot = (await core.store.read()).versions.find((v) => v.fullImageName === image);
  if (hot) return hot;
  if (!(await core.store.isImageArchived(image))) return undefined;
  return (await core.store.archivedVersions(service)).find((v) => v.fullImageName === image);
}
