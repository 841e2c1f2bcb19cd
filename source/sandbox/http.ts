/**
 * The HTTP front: routes discovery, OpenAPI, the resource endpoints, the sandbox's own
 * `/sandbox/fail-image` control and its registry API (`/v2/`); turns errors into Status replies;
 * keeps a request log for tests; tracks open watches so stop() can end them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aggregated, aggregatedContentType, aggregatedVersion, legacyCore, legacyGroup, legacyGroups, openapiDocument, openapiIndex, resourceList, VERSION } from './discovery.js';
import { isObject, type JsonObject } from './json.js';
import { SandboxRegistry } from './registry.js';
import { RestApi, type Reply } from './rest.js';
import { answerReview, isReviewPath } from './reviews.js';
import { ApiError, badRequest, methodNotAllowed, pathNotFound, tooLarge } from './status.js';
import type { Store } from './store.js';
import { serveWatch, type WatchTiming } from './watch.js';

export interface RequestRecord {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  /** list, watch, get, create, update, patch, delete, deletecollection — for resource requests. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  /** HTTP status sent (200 for a watch). */
  code?: number;
  /** The client's port: one per connection, so requests that share a connection share it. */
  clientPort?: number;
}

export type RequestFilter = Partial<Omit<RequestRecord, 'query'>> | ((r: RequestRecord) => boolean);

export interface FailImageControl {
  get(): RegExp | undefined;
  set(pattern: RegExp | undefined): void;
}

const MAX_BODY = 3 * 1024 * 1024;

export class SandboxServer {
  private readonly server: Server;
  private readonly log: RequestRecord[] = [];
  private readonly watches = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly api: RestApi,
    private readonly failImage: FailImageControl,
    private readonly timing: WatchTiming,
    private readonly registry: SandboxRegistry,
    /** How many requests the log keeps, the oldest going first; 0 keeps none. */
    private readonly logSize: number,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  dropWatches(): void {
    for (const end of [...this.watches]) end();
  }

  async close(): Promise<void> {
    this.dropWatches();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  requests(filter?: RequestFilter): RequestRecord[] {
    if (!filter) return [...this.log];
    if (typeof filter === 'function') return this.log.filter(filter);
    const entries = Object.entries(filter);
    return this.log.filter((r) => entries.every(([k, v]) => r[k as keyof RequestRecord] === v));
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
      clientPort: req.socket.remotePort,
    };
    if (this.logSize > 0) this.log.push(record);
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    try {
      const body = await readBody(req);
      if (SandboxRegistry.handles(url.pathname)) {
        const answer = this.registry.answer(record.method, url.pathname);
        record.code = answer.status;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      const reply = this.route(record, url, body, req);
      if ('watch' in reply) {
        record.code = 200;
        const end = serveWatch(res, this.store, reply.watch, this.timing, () => this.watches.delete(end));
        this.watches.add(end);
        return;
      }
      record.code = reply.status;
      send(res, reply.status, reply.body, reply.contentType, reply.warnings);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`);
      record.code = apiError.code;
      send(res, apiError.code, apiError.toStatus());
    }
  }

  private route(record: RequestRecord, url: URL, body: Buffer, req: IncomingMessage): Reply {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    const json = (value: JsonObject, contentType?: string): Reply => ({ status: 200, body: value, contentType });
    const discovery = (core: boolean, legacy: () => JsonObject): Reply => {
      const version = aggregatedVersion(accept);
      return version ? json(aggregated(core, version), aggregatedContentType(version)) : json(legacy());
    };
    if (path === '/sandbox/fail-image') return this.failImageEndpoint(record.method, body);
    if (isReviewPath(path)) {
      if (record.method !== 'POST') throw methodNotAllowed();
      return { status: 201, body: answerReview(path, body, req.headers['content-type']) };
    }
    if (record.method !== 'GET' && !/^\/apis?\//.test(path)) throw methodNotAllowed();
    switch (path) {
      case '/version':
        return json(VERSION);
      case '/healthz':
      case '/livez':
      case '/readyz':
        return { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' };
      case '/api':
        return discovery(true, () => legacyCore(req.headers.host ?? '127.0.0.1'));
      case '/apis':
        return discovery(false, legacyGroups);
      case '/openapi/v3':
        return json(openapiIndex());
      case '/openapi/v2':
        // An empty gnostic Document: no definitions, so kubectl leaves kinds it cannot map to discovery.
        return { status: 200, body: '', contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiDocument(path.slice('/openapi/v3/'.length));
      if (doc) return json(doc);
      throw pathNotFound();
    }
    const parts = path.split('/').filter(Boolean);
    if (record.method === 'GET' && parts[0] === 'api' && parts.length === 2) {
      const list = resourceList('', parts[1]!);
      if (list) return json(list);
    }
    if (record.method === 'GET' && parts[0] === 'apis' && parts.length === 2) {
      const group = legacyGroup(parts[1]!);
      if (group) return json(group);
    }
    if (record.method === 'GET' && parts[0] === 'apis' && parts.length === 3) {
      const list = resourceList(parts[1]!, parts[2]!);
      if (list) return json(list);
    }
    return this.api.handle(
      {
        method: record.method,
        url,
        accept,
        contentType: req.headers['content-type'],
        userAgent: req.headers['user-agent'],
        body,
      },
      record,
    );
  }

  /** `GET` shows the pattern; `POST {"pattern":"regex"}` sets it, `{"pattern":null}` clears it. */
  private failImageEndpoint(method: string, body: Buffer): Reply {
    if (method === 'POST' || method === 'PUT') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw badRequest('the body must be JSON: {"pattern": "<regex>"} or {"pattern": null}');
      }
      const pattern = isObject(parsed) ? parsed.pattern : undefined;
      if (pattern !== null && typeof pattern !== 'string') throw badRequest('the body must be JSON: {"pattern": "<regex>"} or {"pattern": null}');
      let regex: RegExp | undefined;
      try {
        regex = pattern === null || pattern === '' ? undefined : new RegExp(pattern);
      } catch (error) {
        throw badRequest(`pattern is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.failImage.set(regex);
    } else if (method !== 'GET') throw methodNotAllowed();
    return { status: 200, body: { pattern: this.failImage.get()?.source ?? null } };
  }
}

/** The body; past 3 MiB the rest is read and dropped, so the client gets its 413 instead of a reset. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: JsonObject | string | string[], contentType = 'application/json', warnings: string[] = []): void {
  const pieces = typeof body === 'string' ? [body] : Array.isArray(body) ? body : [JSON.stringify(body)];
  const length = pieces.reduce((sum, piece) => sum + Buffer.byteLength(piece), 0);
  const headers: Record<string, string | number | string[]> = { 'Content-Type': contentType, 'Content-Length': length, 'Cache-Control': 'no-cache, private' };
  // RFC 7234 warn-code 299, the form kubectl prints as `Warning: <text>`.
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(status, headers);
  for (const piece of pieces) res.write(piece);
  res.end();
}
