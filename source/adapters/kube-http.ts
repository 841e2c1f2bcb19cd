/**
 * JSON requests to the API server, for the hot paths (the team store's requests, the console's
 * and the monitor's lists): over Node's own http(s), the kubeconfig's TLS material and
 * credentials resolved once, the answer parsed and nothing more. client-node's request path
 * (node-fetch, a new Agent and a read of the CA file per request, its middleware chain) cost
 * about 2 ms of CPU per request, twice this path's, where the API server's CPU is the same CPU
 * (issue 16); its ObjectSerializer spent as long as JSON.parse on a list of a few hundred objects
 * and made a second copy of each (issues 16, 18; docs/benchmarks.md). A user whose credentials
 * change (an exec plugin, an auth provider) asks client-node for them on every request, as
 * client-node does; a kubeconfig proxy-url keeps client-node's proxy agent. Fails as the
 * generated APIs do (ApiException with the status code and the server's body; the network's own
 * error), so statusCodeOf and toClusterError read it the same.
 */
import http from 'node:http';
import https from 'node:https';
import { ApiException } from '@kubernetes/client-node';
import { keptAgent } from './kube-agents.js';
import type { Cluster } from './kube.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  timeoutMs: number;
}

interface Credentials {
  /** Kept connections, for requests. */
  agent: http.Agent;
  /** client-node's own agent (a connection per request): a watch holds its connection for as long as it runs. */
  fresh: http.Agent;
  headers: Record<string, string>;
}

/** How a request is sent: its query, credentials, agent, abort signal and headers of its own. */
interface Opened {
  query: Record<string, string | undefined>;
  credentials: Credentials;
  agent: http.Agent;
  signal: AbortSignal;
  headers?: Record<string, string>;
}

/** One event of a watch: ADDED, MODIFIED, DELETED, BOOKMARK with the object; ERROR with a Status. */
export interface WatchEvent<T> {
  type: string;
  object: T;
}

export class KubeHttp {
  private readonly base: URL;
  private readonly send: typeof http.request;
  /** The user's credentials change (exec plugin, auth provider): asked for on every request. */
  private readonly changing: boolean;
  /** Otherwise resolved at the first request, and kept while that succeeds. */
  private fixed?: Promise<Credentials>;

  /**
   * `kept`: requests share kept connections (the team store: many small requests). Otherwise
   * each has a connection of its own, as client-node's: an API server that went away then
   * answers the next request with ECONNREFUSED, the cause the console and the monitor name (a
   * kept connection would fail with "socket hang up" first).
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly kept = true,
  ) {
    this.base = new URL(cluster.server);
    this.send = this.base.protocol === 'http:' ? http.request : https.request;
    const user = cluster.kc.getCurrentUser();
    this.changing = Boolean(user?.exec || user?.authProvider);
  }

  private current(): Promise<Credentials> {
    if (this.changing) return this.credentials();
    this.fixed ??= this.credentials().catch((error: unknown) => {
      // A CA file not readable now may be next time: ask again then.
      this.fixed = undefined;
      throw error;
    });
    return this.fixed;
  }

  private async credentials(): Promise<Credentials> {
    const options: https.RequestOptions = {};
    await this.cluster.kc.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[key] = String(value);
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    return { agent: keptAgent(options.agent as http.Agent), fresh: options.agent as http.Agent, headers };
  }

  private open(method: Method, path: string, how: Opened, onResponse: (response: http.IncomingMessage) => void): http.ClientRequest {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(how.query)) if (value !== undefined) search.set(key, value);
    return this.send(
      {
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: this.base.port,
        method,
        path: `${this.base.pathname.replace(/\/$/, '')}${path}${search.size ? `?${search}` : ''}`,
        agent: how.agent,
        signal: how.signal,
        headers: { ...how.credentials.headers, Accept: 'application/json', ...how.headers },
      },
      onResponse,
    );
  }

  /** `path` is the API path ("/api/v1/…"); the answer's JSON, parsed. */
  async request<T>(method: Method, path: string, options: HttpRequest): Promise<T> {
    const credentials = await this.current();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
    const { status, text, responseHeaders } = await new Promise<{ status: number; text: string; responseHeaders: http.IncomingHttpHeaders }>((resolve, reject) => {
      const how = { query: options.query ?? {}, credentials, agent: this.kept ? credentials.agent : credentials.fresh, signal: AbortSignal.timeout(options.timeoutMs), headers };
      const request = this.open(method, path, how, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), responseHeaders: response.headers }));
      });
      request.on('error', reject);
      request.end(body);
    });
    if (status < 200 || status > 299) {
      const flat = Object.fromEntries(Object.entries(responseHeaders).map(([key, value]) => [key, String(value)]));
      throw new ApiException(status, 'Unknown API Status Code!', text, flat);
    }
    return JSON.parse(text) as T;
  }

  /**
   * Watches `path` (a collection) from now: `onEvent` for each event, `onEnd` once when the
   * watch ends (the server closed it, the network failed, or `stop()`). Its connection does not
   * keep the process alive.
   */
  watch<T>(path: string, query: Record<string, string | undefined>, onEvent: (event: WatchEvent<T>) => void, onEnd: (error?: unknown) => void): () => void {
    const abort = new AbortController();
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      abort.abort();
      onEnd(error);
    };
    this.current().then((credentials) => {
      if (ended) return;
      const how = { query: { ...query, watch: '1' }, credentials, agent: credentials.fresh, signal: abort.signal };
      const request = this.open('GET', path, how, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          return end(new ApiException(response.statusCode ?? 0, 'Unknown API Status Code!', '', {}));
        }
        let rest = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop()!;
          for (const line of lines) if (line.trim() && !ended) onEvent(JSON.parse(line) as WatchEvent<T>);
        });
        response.on('error', end);
        response.on('end', () => end());
      });
      request.on('socket', (socket) => socket.unref());
      request.on('error', end);
      request.end();
    }, end);
    return () => end();
  }
}
