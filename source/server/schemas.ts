/**
 * JSON schemas of every path, query and body (issue 17). Query values arrive as text (no type
 * coercion, so a body's "5" is not taken for 5): numbers in queries are digit patterns.
 */
import { SCAN_RESULTS, VERSION_STATUSES } from '../domain/types.js';

/** DNS-1123 label: tenant ids and service names (DESIGN §3). */
export const label = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' } as const;
/** `${service}-${tag}-${unixSeconds}`: letters, digits, `_ . -`, never a path. */
export const versionIdParam = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,299}$' } as const;
export const approvalIdParam = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' } as const;
/** 1 … 9999, as text. */
export const limitQuery = { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } as const;
export const flagQuery = { type: 'string', enum: ['true', 'false'] } as const;

export const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const count = { type: 'integer', minimum: 0, maximum: 1_000_000_000 } as const;

export function object(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties, required };
}

export const registerBody = object(
  {
    service_name: label,
    image_name: text(255),
    image_tag: text(128),
    full_image_name: text(1024),
    git_commit: text(64),
    git_branch: text(255),
    digest: text(80),
    status: { type: 'string', enum: VERSION_STATUSES },
    security_scan_result: { type: 'string', enum: SCAN_RESULTS },
    vulnerabilities_count: count,
    build_duration_ms: count,
    size_bytes: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
  ['service_name', 'image_name', 'image_tag', 'full_image_name', 'git_commit', 'git_branch'],
);

export const statusBody = {
  ...object({ status: { type: 'string', enum: VERSION_STATUSES }, security_scan_result: { type: 'string', enum: SCAN_RESULTS }, vulnerabilities_count: count }),
  minProperties: 1,
};

export const rollbackBody = object({ reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' }, to_version_id: versionIdParam }, ['reason']);
export const decisionBody = (reasonRequired: boolean) => object({ reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } }, reasonRequired ? ['reason'] : []);

export const errorSchema = object({ status: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } }, ['status', 'error', 'message']);
