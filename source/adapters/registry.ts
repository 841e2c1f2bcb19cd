/**
 * The Docker registry HTTP API (distribution v2), wrapped: does an image exist, what is its
 * digest, which tags does a repository have. Uses Node's fetch with a short timeout; anonymous
 * bearer tokens and basic credentials (DOCKER_USERNAME / DOCKER_PASSWORD) are handled for
 * registries that ask for them. Credentials are never put in an error message.
 */
import { DOCKER_HUB } from '../domain/names.js';
import { UsageError } from '../errors.js';

/** What `HEAD /v2/<name>/manifests/<ref>` should accept: single manifests and manifest lists. */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export const DEFAULT_REGISTRY_TIMEOUT_MS = 5_000;

export interface RegistryOptions {
  /** Per request; default 5 s. */
  timeoutMs?: number;
  /** Basic credentials; default DOCKER_USERNAME / DOCKER_PASSWORD from the environment. */
  credentials?: { username: string; password: string };
  /** Force http:// or https://; default http for loopback hosts, https otherwise. */
  scheme?: 'http' | 'https';
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/** Registry hosts answered elsewhere in this process: `ecp --sandbox` routes its demo images' host to the sandbox's registry. */
const routes = new Map<string, string>();

/** From now on, requests for registry `host` go to `baseUrl` (`http://127.0.0.1:PORT`). */
export function routeRegistry(host: string, baseUrl: string): void {
  routes.set(host, baseUrl);
}

/** Base URL of a registry host such as `localhost:5000` or `registry.example.com`. */
export function registryBaseUrl(registry: string, scheme?: 'http' | 'https'): string {
  const routed = routes.get(registry);
  if (routed) return routed;
  if (/^https?:\/\//.test(registry)) return registry.replace(/\/+$/, '');
  // ecp names Docker Hub docker.io (domain/names.ts); its registry API lives on another host.
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  const chosen = scheme ?? (LOOPBACK.test(registry) ? 'http' : 'https');
  return `${chosen}://${registry}`;
}

/**
 * The registry gave no answer about the image: it cannot be reached, did not answer in time, or
 * failed on its side (5xx). Not a statement that the image is missing — a rollback to an image
 * that ran before goes on with a warning (issue 15); a deploy of a new version stops.
 */
export class RegistryUnansweredError extends UsageError {}

function envCredentials(): RegistryOptions['credentials'] {
  const username = process.env.DOCKER_USERNAME;
  const password = process.env.DOCKER_PASSWORD;
  return username && password ? { username, password } : undefined;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

class RegistryClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly credentials: RegistryOptions['credentials'];
  private authorization: string | undefined;

  constructor(
    readonly registry: string,
    options: RegistryOptions = {},
  ) {
    this.base = registryBaseUrl(registry, options.scheme);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
    this.credentials = options.credentials ?? envCredentials();
  }

  private async send(method: string, url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: this.authorization ? { ...headers, Authorization: this.authorization } : headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'follow',
      });
    } catch (error) {
      throw new RegistryUnansweredError(`Registry ${this.registry} cannot be reached (${reasonOf(error)}).`);
    }
  }

  /** Answers one 401 challenge (bearer token or basic), then lets the caller retry. */
  private async authenticate(challenge: string | null): Promise<boolean> {
    if (!challenge) return false;
    const { scheme, params } = parseChallenge(challenge);
    const basic = this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic || this.authorization === basic) return false;
      this.authorization = basic;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: basic ? { Authorization: basic } : {},
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UsageError(`Registry ${this.registry}'s token service cannot be reached (${reasonOf(error)}).`);
    }
    if (!response.ok) return false;
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return false;
    const next = `Bearer ${token}`;
    if (next === this.authorization) return false;
    this.authorization = next;
    return true;
  }

  async request(method: string, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${this.base}${pathAndQuery}`;
    let response = await this.send(method, url, headers);
    if (response.status === 401 && (await this.authenticate(response.headers.get('www-authenticate')))) {
      await response.body?.cancel();
      response = await this.send(method, url, headers);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new UsageError(`Registry ${this.registry} refused access (HTTP ${response.status}); set DOCKER_USERNAME and DOCKER_PASSWORD for it.`);
    }
    return response;
  }

  url(pathAndQuery: string): string {
    return `${this.base}${pathAndQuery}`;
  }
}

function checkRepository(repository: string): void {
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repository)) {
    throw new UsageError(`"${repository}" is not a valid image repository name.`);
  }
}

/**
 * The digest of `<repository>:<tag>` in `registry` (Docker-Content-Digest of a HEAD on the
 * manifest), or undefined when the registry says it does not have it (404). Throws a
 * UsageError naming the registry when it cannot be reached or refuses access.
 * `repository` is the path inside the registry (`ecp-ai/callbot`), or the full repository
 * (`localhost:5000/ecp-ai/callbot`), in which case the registry prefix is dropped.
 */
export async function manifestDigest(registry: string, repository: string, tag: string, options: RegistryOptions = {}): Promise<string | undefined> {
  const name = repository.startsWith(`${registry}/`) ? repository.slice(registry.length + 1) : repository;
  checkRepository(name);
  const client = new RegistryClient(registry, options);
  const response = await client.request('HEAD', `/v2/${name}/manifests/${encodeURIComponent(tag)}`, {
    Accept: MANIFEST_ACCEPT,
  });
  await response.body?.cancel();
  if (response.status === 404) return undefined;
  if (!response.ok) {
    const ErrorClass = response.status >= 500 ? RegistryUnansweredError : UsageError;
    throw new ErrorClass(`Registry ${registry} answered HTTP ${response.status} for ${name}:${tag}.`);
  }
  // A HEAD with no Docker-Content-Digest (some proxies) still proves the image exists.
  return response.headers.get('docker-content-digest') ?? '';
}

/** True when the image exists; a shorthand over manifestDigest. */
export async function imageExists(registry: string, repository: string, tag: string, options?: RegistryOptions): Promise<boolean> {
  return (await manifestDigest(registry, repository, tag, options)) !== undefined;
}

/** All tags of a repository (following `Link` pagination); [] when the repository is unknown. */
export async function listTags(registry: string, repository: string, options: RegistryOptions = {}): Promise<string[]> {
  const name = repository.startsWith(`${registry}/`) ? repository.slice(registry.length + 1) : repository;
  checkRepository(name);
  const client = new RegistryClient(registry, options);
  const tags: string[] = [];
  let next: string | undefined = `/v2/${name}/tags/list?n=1000`;
  for (let page = 0; next && page < 1000; page += 1) {
    const response = await client.request('GET', next, { Accept: 'application/json' });
    if (response.status === 404) {
      await response.body?.cancel();
      return tags;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UsageError(`Registry ${registry} answered HTTP ${response.status} listing the tags of ${name}.`);
    }
    const body = (await response.json().catch(() => ({}))) as { tags?: unknown };
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
    const link = response.headers.get('link');
    const match = link ? /<([^>]+)>;\s*rel="?next"?/.exec(link) : null;
    next = match?.[1];
    if (next && !next.startsWith('/') && !next.startsWith('http')) next = `/${next}`;
  }
  return tags;
}
