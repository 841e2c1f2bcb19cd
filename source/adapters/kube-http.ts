/**
 * Requests of the team store to the API server: JSON over Node's own http(s), on kept
 * connections, with the kubeconfig's TLS material and credentials resolved once. client-node's
 * own request path (node-fetch, a new Agent and a read of the CA file per request, its
 * middleware chain) cost about 2 ms of CPU per request, twice this path's, on a machine where
 * the API server's CPU is the same CPU (issue 16, docs/benchmarks.md). A user whose credentials
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
  agent: http.Agent;
  headers: Record<string, string>;
}

export class KubeHttp {
  private readonly base: URL;
  private readonly send: typeof http.request;
  /** Resolved once, unless the user's credentials change (exec, auth provider). */
  private fixed?: Promise<Credentials>;

  constructor(private readonly cluster: Cluster) {
    this.base = new URL(cluster.server);
    this.send = this.base.protocol === 'http:' ? http.request : https.request;
    const user = cluster.kc.getCurrentUser();
    if (!user?.exec && !user?.authProvider) this.fixed = this.credentials();
  }

  private async credentials(): Promise<Credentials> {
    const options: https.RequestOptions = {};
    await this.cluster.kc.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[key] = String(value);
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    return { agent: keptAgent(options.agent as http.Agent), headers };
  }

  /** `path` is the API path ("/api/v1/…"); the answer's JSON, parsed. */
  async request<T>(method: Method, path: string, options: HttpRequest): Promise<T> {
    const { agent, headers } = await (this.fixed ?? this.credentials());
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) query.set(key, value);
    const search = query.size ? `?${query}` : '';
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const { status, text, responseHeaders } = await new Promise<{ status: number; text: string; responseHeaders: http.IncomingHttpHeaders }>((resolve, reject) => {
      const request = this.send(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method,
          path: `${this.base.pathname.replace(/\/$/, '')}${path}${search}`,
          agent,
          signal: AbortSignal.timeout(options.timeoutMs),
          headers: {
            ...headers,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), responseHeaders: response.headers }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    if (status < 200 || status > 299) {
      const flat = Object.fromEntries(Object.entries(responseHeaders).map(([key, value]) => [key, String(value)]));
      throw new ApiException(status, 'Unknown API Status Code!', text, flat);
    }
    return JSON.parse(text) as T;
  }
}
