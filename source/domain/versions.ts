/** Version-tracking rules as pure functions over plain data (DESIGN §5, SPEC versions API). */
import * as z from 'zod/mini';
import './zod-messages.js';
import { versionId } from './image-tag.js';
import { dns1123Problem, dockerTagProblem, parseImageRef } from './names.js';
import { SCAN_RESULTS, VERSION_STATUSES, type ImageVersion, type ScanResult, type VersionStatus } from './types.js';

export class VersionInputError extends Error {}

const nonEmpty = () => z.string().check(z.minLength(1));
const count = () => z.optional(z.int().check(z.nonnegative()));
const registerBody = z.strictObject({
  serviceName: nonEmpty(),
  imageName: nonEmpty(),
  imageTag: nonEmpty(),
  fullImageName: nonEmpty(),
  gitCommit: nonEmpty(),
  gitBranch: nonEmpty(),
  digest: z.optional(z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex digits>'))),
  status: z.optional(z.enum(VERSION_STATUSES)),
  securityScanResult: z.optional(z.enum(SCAN_RESULTS)),
  vulnerabilitiesCount: count(),
  buildDurationMs: z.optional(z.number().check(z.nonnegative())),
  sizeBytes: count(),
});

export type RegisterInput = z.infer<typeof registerBody>;

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Accepts the specification's snake_case body as well as camelCase. */
export function parseRegisterBody(body: unknown): RegisterInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new VersionInputError('The version body must be a JSON object.');
  }
  const normalized = Object.fromEntries(Object.entries(body).map(([k, v]) => [snakeToCamel(k), v]));
  const result = registerBody.safeParse(normalized);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new VersionInputError(`The version body has an unknown field "${camelToSnake(issue.keys[0]!)}".`);
    }
    const field = camelToSnake(String(issue.path[0] ?? ''));
    const missing = issue.code === 'invalid_type' && normalized[String(issue.path[0])] === undefined;
    throw new VersionInputError(missing ? `The version body is missing the field "${field}".` : `The version body's field "${field}" is invalid: ${issue.message}.`);
  }
  const input = result.data;
  const problem =
    dns1123Problem('Service name', input.serviceName) ??
    dockerTagProblem(input.imageTag) ??
    (parseImageRef(input.fullImageName).tag !== input.imageTag ? `full_image_name "${input.fullImageName}" does not end in the image tag ":${input.imageTag}".` : undefined);
  if (problem) throw new VersionInputError(problem);
  return input;
}

export function newVersion(input: RegisterInput, now: Date, takenIds: ReadonlySet<string>, actor?: string): ImageVersion {
  const base = versionId(input.serviceName, input.imageTag, now);
  let id = base;
  for (let n = 2; takenIds.has(id); n += 1) id = `${base}-${n}`;
  const at = now.toISOString();
  return {
    id,
    serviceName: input.serviceName,
    imageName: input.imageName,
    imageTag: input.imageTag,
    fullImageName: input.fullImageName,
    digest: input.digest,
    gitCommit: input.gitCommit,
    gitBranch: input.gitBranch,
    status: input.status ?? 'pushed',
    securityScanResult: input.securityScanResult ?? 'pending',
    vulnerabilitiesCount: input.vulnerabilitiesCount ?? 0,
    vulnerabilities: {},
    createdAt: at,
    updatedAt: at,
    buildDurationMs: input.buildDurationMs,
    sizeBytes: input.sizeBytes,
    actor,
  };
}

export interface StatusChange {
  status?: VersionStatus;
  securityScanResult?: ScanResult;
  vulnerabilitiesCount?: number;
}

export function parseStatusChange(raw: { status?: string; scan?: string; vulns?: number }): StatusChange {
  const change: StatusChange = {};
  if (raw.status !== undefined) {
    if (!(VERSION_STATUSES as readonly string[]).includes(raw.status)) {
      throw new VersionInputError(`Status "${raw.status}" is not one of ${VERSION_STATUSES.join(', ')}.`);
    }
    change.status = raw.status as VersionStatus;
  }
  if (raw.scan !== undefined) {
    if (!(SCAN_RESULTS as readonly string[]).includes(raw.scan)) {
      throw new VersionInputError(`Scan result "${raw.scan}" is not one of ${SCAN_RESULTS.join(', ')}.`);
    }
    change.securityScanResult = raw.scan as ScanResult;
  }
  if (raw.vulns !== undefined) change.vulnerabilitiesCount = raw.vulns;
  if (Object.keys(change).length === 0) {
    throw new VersionInputError('Nothing to change: give --status, --scan or --vulns.');
  }
  return change;
}

/** Returns the changed record; the input is not modified. */
export function applyStatusChange(version: ImageVersion, change: StatusChange, now: Date): ImageVersion {
  return { ...version, ...change, updatedAt: now.toISOString() };
}

/** snake_case view of a record, as the specification's API returns it. */
export function toApiShape(record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [camelToSnake(k), v]));
}
