/**
 * Rules of `update-manifests` as pure functions: which version a service moves to, whether that
 * target may be written, and how an image value is rewritten in the file's own text so that no
 * byte but the image changes (same quoting, same comment, same line).
 */
import { describeFailure, isBlocked, isFailed, isReady, type ImageVersion } from './types.js';

export type TargetRequest = { mode: 'newest-ready' } | { mode: 'tag'; tag: string } | { mode: 'version'; version: ImageVersion };

export interface TargetDecision {
  service: string;
  /** The tag to write; undefined when the service is skipped. */
  tag?: string;
  /** The registered version behind the tag, when there is one. */
  version?: ImageVersion;
  /** Why the target may not be written without --force (unregistered, blocked, still building). */
  refusal?: string;
  /** A failed version named explicitly: written, with this warning (audited). */
  failedChoice?: string;
  /** Why nothing is written for this service (no ready version). */
  skip?: string;
}

/** Newest first; of two registered in the same millisecond, the one registered later (later in the store). */
const newestFirst = (versions: readonly ImageVersion[]) =>
  versions
    .map((version, order) => ({ version, order }))
    .sort((a, b) => b.version.createdAt.localeCompare(a.version.createdAt) || b.order - a.order)
    .map(({ version }) => version);

/** The newest version that may be deployed: ready (or deployed), not blocked, scan not failed. */
export function newestReady(versions: readonly ImageVersion[]): ImageVersion | undefined {
  return newestFirst(versions).find((v) => isReady(v) && !isBlocked(v));
}

/** Why a registered version may not be written without --force, or undefined. */
export function versionRefusal(version: ImageVersion): string | undefined {
  if (isBlocked(version)) {
    return version.securityScanResult === 'failed' ? `is blocked (security scan failed, ${version.vulnerabilitiesCount} vulnerabilities)` : 'is blocked';
  }
  if (version.status === 'building') return 'is still building';
  return undefined;
}

/**
 * Decides the target of one service. `versions` are the service's registered versions (any
 * order); for a tag request the newest version with that tag counts.
 */
export function decideTarget(service: string, request: TargetRequest, versions: readonly ImageVersion[]): TargetDecision {
  if (request.mode === 'newest-ready') {
    const version = newestReady(versions.filter((v) => v.serviceName === service));
    if (!version) return { service, skip: 'no ready version is registered' };
    return { service, tag: version.imageTag, version };
  }
  if (request.mode === 'version') {
    const version = request.version;
    return named(service, version, `version ${version.id}`);
  }
  const version = newestFirst(versions).find((v) => v.serviceName === service && v.imageTag === request.tag);
  if (!version) return { service, tag: request.tag, refusal: `tag ${request.tag} is not registered for ${service}` };
  return named(service, version, `${service}:${request.tag}`);
}

/** A version named by --tag or --version: refused when blocked; a failed one goes with a warning. */
function named(service: string, version: ImageVersion, label: string): TargetDecision {
  const refusal = versionRefusal(version);
  const failedChoice = isFailed(version) ? `${label} ${describeFailure(version)}; written because it was named explicitly` : undefined;
  return { service, tag: version.imageTag, version, refusal: refusal && `${label} ${refusal}`, failedChoice };
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Renders `value` in the style of the scalar it replaces (plain, 'single' or "double" quoted). */
export function renderLike(type: string, value: string): string {
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (!/^[A-Za-z0-9_./:@+-]+$/.test(value) || /^[-:?]/.test(value)) return JSON.stringify(value);
  return value;
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit || edit.start > edit.end) throw new Error('overlapping edits');
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
    limit = edit.start;
  }
  return out;
}

/** 1-based numbers of the lines that differ between two texts with the same number of lines. */
export function changedLines(before: string, after: string): number[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) changed.push(i + 1);
  return changed;
}
