/**
 * meta/v1 Status replies, shaped as the real API server sends them: kubectl prints
 * `Error from server (<reason>): <message>` from exactly these fields (KUBE-API-NOTES §7).
 */
import type { JsonObject } from './json.js';
import { qualifiedKind, qualifiedName, type ResourceType } from './resources.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
    };
    // An error that is no API status (reason Unknown) has an empty reason, which Go omits.
    if (this.reason) status.reason = this.reason;
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

function details(type: ResourceType, name: string): JsonObject {
  const d: JsonObject = { name };
  if (type.group) d.group = type.group;
  d.kind = type.plural;
  return d;
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, details(type, name));
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedName(type)} "${name}" already exists`, details(type, name));
}

export function conflict(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(type, name),
  );
}

/** 422 for field errors: `Deployment.apps "x" is invalid: <field>: <message>` (several are bracketed). */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  const d: JsonObject = { name };
  if (type.group) d.group = type.group;
  d.kind = type.kind;
  d.causes = causes.map((c) => ({ ...c }));
  return new ApiError(422, 'Invalid', `${qualifiedKind(type)} "${name}" is invalid: ${joined}`, d);
}

/**
 * A JSON patch that does not apply: the API server answers a bare 422 with the generic text of
 * NewGenericServerResponse (the operation's own error stays in the server log), which kubectl
 * prints as `The request is invalid: the server rejected our request due to an error in our request`.
 */
export function jsonPatchRejected(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function tooLarge(): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
}

/** The Status a successful DELETE returns. */
export function deleted(type: ResourceType, name: string, uid: string): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...details(type, name), uid },
  };
}
