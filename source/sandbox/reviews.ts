/**
 * The review endpoints kubectl's `auth` commands post to: SelfSubjectAccessReview and
 * SelfSubjectRulesReview (`auth can-i [--list]`: the sandbox's one user may do everything) and
 * SelfSubjectReview (`auth whoami`).
 * Neither is stored; the reply is the review with its status filled in, as from a real server.
 */
import { isObject, type JsonObject } from './json.js';
import { decodeProtobuf, PROTOBUF } from './protobuf.js';
import { badRequest } from './status.js';

const SANDBOX_USER = { username: 'ecp-sandbox', groups: ['system:masters', 'system:authenticated'] };

const REVIEWS: Record<string, { kind: string; apiVersion: string; status: () => JsonObject }> = {
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews': { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', status: () => ({ allowed: true }) },
  '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews': {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    status: () => ({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    }),
  },
  '/apis/authentication.k8s.io/v1/selfsubjectreviews': {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    status: () => ({ userInfo: { username: SANDBOX_USER.username, groups: [...SANDBOX_USER.groups] } }),
  },
};

export function isReviewPath(path: string): boolean {
  return path in REVIEWS;
}

/** The answered review for a POST to one of the review paths. */
export function answerReview(path: string, body: Buffer, contentType: string | undefined): JsonObject {
  const review = REVIEWS[path]!;
  let sent: unknown;
  try {
    sent = (contentType ?? '').startsWith(PROTOBUF) ? decodeProtobuf(body) : JSON.parse(body.toString('utf8') || '{}');
  } catch (error) {
    throw badRequest(`the body of the ${review.kind} could not be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const spec = isObject(sent) && isObject(sent.spec) ? sent.spec : {};
  return { kind: review.kind, apiVersion: review.apiVersion, metadata: {}, spec, status: review.status() };
}
