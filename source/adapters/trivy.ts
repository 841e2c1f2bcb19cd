/**
 * Trivy, wrapped: read a Trivy JSON report (`trivy image --format json`, schema version 2) into
 * counts by severity, or run Trivy when it is on PATH. Results[].Vulnerabilities[].Severity is
 * what counts; a result without a Vulnerabilities key (Trivy omits it when there are none), and
 * a report without Results (an image with nothing to scan), mean none.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Severity } from '../config.js';
import { parseImageRef } from '../domain/names.js';
import type { ImageVersion, VulnerabilityCounts } from '../domain/types.js';
import { SEVERITIES } from '../domain/vulnerability-gate.js';
import { UsageError, errorMessage } from '../errors.js';

export interface TrivyScan {
  /** Where the report came from: a file name, or `trivy image <ref>`. */
  source: string;
  artifactName?: string;
  artifactType?: string;
  counts: VulnerabilityCounts;
  total: number;
  /** Vulnerability ids per severity, for the record's audit event (at most 20 each). */
  ids: Partial<Record<Severity, string[]>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a Trivy JSON report; a text that is not one is a UsageError naming `source`. */
export function parseTrivyReport(text: string, source: string): TrivyScan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Trivy report ${source} is not valid JSON: ${errorMessage(error)}.`);
  }
  const notReport = (why: string) => new UsageError(`${source} is not a Trivy JSON report (${why}); expected the output of \`trivy image --format json\`.`);
  if (!isObject(raw)) throw notReport('not a JSON object');
  if (typeof raw.SchemaVersion !== 'number') throw notReport('no SchemaVersion');
  const results = raw.Results ?? [];
  if (!Array.isArray(results)) throw notReport('Results is not a list');
  const counts: VulnerabilityCounts = {};
  const ids: TrivyScan['ids'] = {};
  let total = 0;
  results.forEach((result, i) => {
    if (!isObject(result)) throw notReport(`Results[${i}] is not an object`);
    const vulns = result.Vulnerabilities ?? [];
    if (!Array.isArray(vulns)) throw notReport(`Results[${i}].Vulnerabilities is not a list`);
    vulns.forEach((v, j) => {
      if (!isObject(v)) throw notReport(`Results[${i}].Vulnerabilities[${j}] is not an object`);
      const raw = typeof v.Severity === 'string' ? v.Severity.toUpperCase() : 'UNKNOWN';
      const severity = (SEVERITIES as readonly string[]).includes(raw) ? (raw as Severity) : 'UNKNOWN';
      counts[severity] = (counts[severity] ?? 0) + 1;
      total += 1;
      const list = (ids[severity] ??= []);
      if (typeof v.VulnerabilityID === 'string' && list.length < 20 && !list.includes(v.VulnerabilityID)) list.push(v.VulnerabilityID);
    });
  });
  return {
    source,
    artifactName: typeof raw.ArtifactName === 'string' ? raw.ArtifactName : undefined,
    artifactType: typeof raw.ArtifactType === 'string' ? raw.ArtifactType : undefined,
    counts,
    total,
    ids,
  };
}

export async function readTrivyReport(file: string): Promise<TrivyScan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`Trivy report ${file} cannot be read${code === 'ENOENT' ? ': it does not exist' : ` (${code ?? errorMessage(error)})`}.`);
  }
  return parseTrivyReport(text, file);
}

/**
 * Why a report of an image does not belong to `version` (another tag, digest or service), or
 * undefined when it does or cannot tell (a report of something other than a container image).
 */
export function reportMismatch(scan: TrivyScan, version: Pick<ImageVersion, 'fullImageName' | 'imageTag' | 'digest'>): string | undefined {
  if (!scan.artifactName || (scan.artifactType && scan.artifactType !== 'container_image')) return undefined;
  const ref = parseImageRef(scan.artifactName);
  const own = parseImageRef(version.fullImageName);
  const last = (repository: string) => repository.slice(repository.lastIndexOf('/') + 1);
  const sameImage =
    last(ref.repository) === last(own.repository) &&
    (ref.tag === undefined || ref.tag === version.imageTag) &&
    (ref.digest === undefined || version.digest === undefined || ref.digest === version.digest);
  return sameImage ? undefined : `the report ${scan.source} is of ${scan.artifactName}, not of ${version.fullImageName}`;
}

/** The trivy executable on PATH, or undefined. */
export function findTrivy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'trivy');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?\//;

/** Runs `trivy image --format json <image>`; exit 2 (UsageError) when Trivy is absent or fails. */
export async function runTrivy(image: string, env: NodeJS.ProcessEnv = process.env): Promise<TrivyScan> {
  const trivy = findTrivy(env);
  if (!trivy) {
    throw new UsageError('trivy is not on PATH: install Trivy, or scan elsewhere and import the report with --report FILE.');
  }
  const args = ['image', '--format', 'json', '--quiet', ...(LOOPBACK.test(image) ? ['--insecure'] : []), image];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(trivy, args, { env, maxBuffer: 256 * 1024 * 1024, timeout: 15 * 60_000 }, (error, out, err) => {
      if (error) {
        const last = String(err).trim().split('\n').filter(Boolean).pop() ?? errorMessage(error);
        reject(new UsageError(`trivy image ${image} failed: ${last}`));
      } else resolve(String(out));
    });
  });
  return parseTrivyReport(stdout, `trivy image ${image}`);
}
