/** Image tag policy (DESIGN §3): pure functions from git facts and a clock to a Docker tag. */
import { isDockerTag } from './names.js';

export interface GitHeadFacts {
  /** Branch name; undefined on a detached HEAD. */
  branch?: string;
  /** Full commit hash. */
  commit: string;
  dirty: boolean;
  /** Nearest `v*` tag, e.g. v1.2.3 (semver policy). */
  nearestVersionTag?: string;
  /** package.json version, the semver policy's fallback. */
  packageVersion?: string;
}

export type TagPolicy = 'branch' | 'semver' | 'template';

export interface TagOptions {
  policy: TagPolicy;
  template?: string;
  service?: string;
  now: Date;
}

export class TagPolicyError extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYYMMDD-HHMMSS in UTC, so tags do not depend on the operator's time zone. */
export function compactTimestamp(now: Date): string {
  return `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` + `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
}

/** Branch name as a tag part: lower case, every run of non [a-z0-9] turned into '-'. */
export function branchSlug(branch: string | undefined): string {
  const slug = (branch ?? 'detached')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'detached';
}

function semverBase(facts: GitHeadFacts): string {
  const raw = facts.nearestVersionTag ?? (facts.packageVersion ? `v${facts.packageVersion}` : undefined);
  if (!raw) {
    throw new TagPolicyError('The semver tag policy needs a v* git tag or a version in package.json; neither was found.');
  }
  return raw.startsWith('v') ? raw : `v${raw}`;
}

/** Turns any string into a valid Docker tag, or throws naming the input when it cannot. */
export function sanitizeTag(candidate: string): string {
  let tag = candidate.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '');
  if (tag.length > 128) tag = tag.slice(0, 128).replace(/[.-]+$/, '');
  if (!isDockerTag(tag)) {
    throw new TagPolicyError(`Tag "${candidate}" cannot be made into a valid Docker tag.`);
  }
  return tag;
}

export function imageTag(facts: GitHeadFacts, options: TagOptions): string {
  const sha = facts.commit.slice(0, 7);
  const branch = branchSlug(facts.branch);
  let tag: string;
  switch (options.policy) {
    case 'branch':
      if (facts.branch === 'main') tag = `stable-${sha}`;
      else if (facts.branch === 'develop') tag = `beta-${compactTimestamp(options.now)}-${sha}`;
      else tag = `dev-${branch}-${sha}`;
      break;
    case 'semver':
      tag = `${semverBase(facts)}-${sha}`;
      break;
    case 'template': {
      const template = options.template ?? '{branch}-{sha}-{timestamp}';
      const values: Record<string, string> = {
        branch,
        sha,
        commit: facts.commit,
        timestamp: compactTimestamp(options.now),
        unix: String(Math.floor(options.now.getTime() / 1000)),
        service: options.service ?? '',
        version: facts.nearestVersionTag ?? (facts.packageVersion ? `v${facts.packageVersion}` : ''),
      };
      tag = template.replace(/\{(\w+)\}/g, (whole, key: string) => {
        const value = values[key];
        if (value === undefined) throw new TagPolicyError(`Tag template "${template}" uses unknown placeholder ${whole}.`);
        return value;
      });
      break;
    }
  }
  if (facts.dirty) tag = `${tag}-dirty`;
  return sanitizeTag(tag);
}

/** Version id `${service}-${tag}-${unixSeconds}` (DESIGN §3). */
export function versionId(service: string, tag: string, at: Date): string {
  return `${service}-${tag}-${Math.floor(at.getTime() / 1000)}`;
}
