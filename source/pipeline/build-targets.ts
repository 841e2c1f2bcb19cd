/**
 * Which services a build builds, and with which tag (issue 14): one choice for `ecp build`, the
 * console's `b` / `B`, deploy, and the console's approval pre-check. Kept apart from the build
 * itself so that choosing loads neither Docker nor git.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config, ServiceBuildConfig } from '../config.js';
import { imageTag, TagPolicyError, type GitHeadFacts } from '../domain/image-tag.js';
import { UsageError } from '../errors.js';

export interface BuildTargets {
  services: ServiceBuildConfig[];
  /** Names left out for want of a build entry (only when not every name had to have one). */
  notBuildable: string[];
}

type BuildConfig = Pick<Config, 'services' | 'configFile' | 'baseDir'>;

/**
 * The configured services to build: all of them when `names` is undefined; else the ones named.
 * `every`: each name must have a build entry (`ecp build a b`, the console's `b`); otherwise
 * (a tenant's services: deploy, the console's `B`) those without one are left out, but not all.
 * A build context that is not a folder, or a missing Dockerfile, is refused here, before any build.
 */
export function buildTargets(config: BuildConfig, names?: readonly string[], every = true): BuildTargets {
  const configured = config.services;
  const where = config.configFile ?? `ecp.config.yaml (none found in ${config.baseDir})`;
  if (configured.length === 0) {
    throw new UsageError(`No services are configured to build: add a \`services:\` list to ${where} (see ecp.config.example.yaml).`);
  }
  const wanted = names === undefined ? undefined : new Set(names);
  const notBuildable = names === undefined ? [] : names.filter((name) => !configured.some((s) => s.name === name));
  if (every && notBuildable.length > 0) {
    const list = notBuildable.map((n) => `"${n}"`).join(', ');
    throw new UsageError(
      `${notBuildable.length === 1 ? 'Service' : 'Services'} ${list} ${notBuildable.length === 1 ? 'is' : 'are'} not in the \`services:\` list of ${where} (configured: ${configured.map((s) => s.name).join(', ')}).`,
    );
  }
  const services = wanted ? configured.filter((s) => wanted.has(s.name)) : configured;
  if (services.length === 0) throw new UsageError(`None of ${[...(names ?? [])].join(', ')} has a build entry under \`services:\` in ${where}, so there is nothing to build.`);
  for (const s of services) {
    if (!existsSync(s.context) || !statSync(s.context).isDirectory()) {
      throw new UsageError(`The build context of service ${s.name}, ${s.context}, is not a folder.`);
    }
    const dockerfile = path.resolve(s.context, s.dockerfile);
    if (!existsSync(dockerfile)) throw new UsageError(`The Dockerfile of service ${s.name}, ${dockerfile}, does not exist.`);
  }
  return { services, notBuildable };
}

/** Whether every one of these services has a build entry (then deploy builds first). */
export function canBuildAll(config: Pick<Config, 'services'>, names: readonly string[]): boolean {
  const configured = new Set(config.services.map((s) => s.name));
  return names.length > 0 && names.every((name) => configured.has(name));
}

/** What a build of HEAD would be tagged now (`ecp image-tag`), with the git facts behind it. */
export async function previewBuildTag(config: Pick<Config, 'tagPolicy' | 'tagTemplate' | 'baseDir'>, service: string | undefined): Promise<{ tag: string; facts: GitHeadFacts }> {
  const { headFacts } = await import('../adapters/git.js');
  const facts = await headFacts(config.baseDir);
  return { tag: buildTags(config, facts, [service ?? ''], new Date()).get(service ?? '')!, facts };
}

/** The tag each service's build gets from the tag policy over git HEAD at `now`. */
export function buildTags(config: Pick<Config, 'tagPolicy' | 'tagTemplate'>, facts: GitHeadFacts, services: readonly string[], now: Date): Map<string, string> {
  const tags = new Map<string, string>();
  for (const service of services) {
    try {
      tags.set(service, imageTag(facts, { policy: config.tagPolicy, template: config.tagTemplate, service, now }));
    } catch (error) {
      if (error instanceof TagPolicyError) throw new UsageError(error.message);
      throw error;
    }
  }
  return tags;
}
