/**
 * Errors as the API answers them (issue 17): one status and one JSON object with a message,
 * never a stack trace. Refusals the pipeline words as sentences keep their sentence.
 */
import { ClusterError } from '../errors.js';
import { VersionInputError } from '../domain/versions.js';
import { EcpError, StoreError } from '../errors.js';
import { ServiceBusyError } from '../pipeline/exclusive.js';
import { VersionExistsError } from '../pipeline/versions.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new HttpError(404, message);

export interface ErrorBody {
  status: number;
  error: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(status: number, message: string): ErrorBody {
  return { status, error: REASONS[status] ?? 'Error', message };
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const WHERE: Record<string, string> = { body: 'The body', querystring: 'The query', params: 'The path', headers: 'The headers' };

/** "The body's field "vulnerabilities_count" must be integer." — the field named, as the issue asks. */
function validationMessage(context: string, issue: ValidationIssue): string {
  const where = WHERE[context] ?? `The ${context}`;
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (issue.keyword === 'required') return `${where} is missing the field "${[path, issue.params.missingProperty].filter(Boolean).join('.')}".`;
  if (issue.keyword === 'additionalProperties') return `${where} has an unknown field "${[path, issue.params.additionalProperty].filter(Boolean).join('.')}".`;
  if (!path) return `${where} ${issue.message ?? 'is invalid'}.`;
  return `${where}'s field "${path}" ${issue.message ?? 'is invalid'}.`;
}

/** The status and body for anything a handler or Fastify threw. */
export function toErrorBody(error: unknown): ErrorBody {
  const e = error as { validation?: ValidationIssue[]; validationContext?: string; code?: string; statusCode?: number; message?: string };
  if (e.validation?.length) {
    const context = e.validationContext ?? 'body';
    return errorBody(context === 'body' ? 422 : 400, validationMessage(context, e.validation[0]!));
  }
  if (error instanceof HttpError) return errorBody(error.statusCode, error.message);
  if (error instanceof VersionExistsError || error instanceof ServiceBusyError) return errorBody(409, error.message);
  if (error instanceof VersionInputError) return errorBody(422, error.message);
  if (error instanceof ClusterError || error instanceof StoreError) return errorBody(503, error.message);
  // Any other refusal of the pipeline: the state does not allow it now (blocked, no target,
  // an approval pending, ...).
  if (error instanceof EcpError) return errorBody(409, error.message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, 'The body is larger than 1 MiB.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'The body must be JSON (Content-Type: application/json).');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(400, 'The body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errorBody(400, `The body is not valid JSON: ${e.message ?? ''}`.trim());
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return errorBody(400, 'The request is malformed.');
  return errorBody(500, 'The server failed to answer this request; the details are in its log.');
}
