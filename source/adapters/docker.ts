/**
 * dockerode, wrapped: build an image from a context folder, push it, inspect it. One job only;
 * dockerode's errors become ours (an engine that cannot be reached is a UsageError naming
 * DOCKER_HOST or the socket tried; a failed build or push is an ImageBuildError).
 *
 * The classic builder (API version 1) is used: it runs on every engine without buildx.
 * Registry credentials come from DOCKER_USERNAME / DOCKER_PASSWORD or the Docker config file
 * (DOCKER_CONFIG or ~/.docker/config.json: `auths`, `credHelpers`, `credsStore`); they are sent
 * to the engine only and never printed, logged or stored.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import dockerignoreModule from '@balena/dockerignore';
import Docker from 'dockerode';
import tar from 'tar-fs';

// The package is CommonJS with an ES-style `default` in its types: take whichever is the function.
const dockerignore = ((dockerignoreModule as unknown as { default?: unknown }).default ?? dockerignoreModule) as unknown as typeof dockerignoreModule.default;
import { DOCKER_HUB, parseImageRef } from '../domain/names.js';
import { EcpError, UsageError, errorMessage } from '../errors.js';

/** A build or push the engine refused or that failed in a step: exit 1, the other builds go on. */
export class ImageBuildError extends EcpError {
  constructor(message: string) {
    super(message, 1);
  }
}

export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Dockerfile path relative to the context (it may point outside it). */
  dockerfile: string;
  /** Full image reference to tag the result with. */
  image: string;
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  /** Images whose layers may be reused (only those present in the engine are passed on). */
  cacheFrom?: string[];
  signal?: AbortSignal;
}

/** One line of progress, as the engine reported it. */
export interface DockerProgress {
  kind: 'step' | 'output' | 'status';
  message: string;
}

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  repoDigests: string[];
  repoTags: string[];
}

export interface PushResult {
  digest: string;
}

/** The engine raw event shape (build and push streams). */
interface EngineEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
}

// ------------------------------------------------------------------------------------ engine

/** Where dockerode will look for the engine, in words for an error message. */
export function describeEngine(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (host) return `${host} (DOCKER_HOST)`;
  return `${defaultSocket()} (the default socket; DOCKER_HOST is not set)`;
}

/** /var/run/docker.sock, or Docker Desktop's socket in the home folder when only that exists. */
function defaultSocket(): string {
  const system = '/var/run/docker.sock';
  const desktop = path.join(os.homedir(), '.docker', 'run', 'docker.sock');
  return !existsSync(system) && existsSync(desktop) ? desktop : system;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code);
}

/** The engine's own sentence out of a dockerode error ("(HTTP code 500) server error - ..."). */
function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === 'string' && json.trim()) return json.trim();
  return errorMessage(error)
    .replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '')
    .trim();
}

export class DockerEngine {
  private readonly docker: Docker;
  readonly where: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.where = describeEngine(env);
    try {
      // Built from `env` alone (dockerode would otherwise mix in process.env's DOCKER_HOST).
      this.docker = new Docker(engineOptions(env));
    } catch (error) {
      throw new UsageError(`DOCKER_HOST "${env.DOCKER_HOST ?? ''}" is not an engine address such as unix:///var/run/docker.sock or tcp://host:2375 (${errorMessage(error)}).`);
    }
  }

  private unreachable(error: unknown): UsageError {
    const code = (error as { code?: string }).code ?? errorMessage(error);
    return new UsageError(`No Docker engine answers at ${this.where}: ${code}; start one or point DOCKER_HOST at it.`);
  }

  /** Throws a UsageError when no engine answers. */
  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      if (isUnreachable(error)) throw this.unreachable(error);
      throw new UsageError(`The Docker engine at ${this.where} did not answer a ping: ${engineMessage(error)}.`);
    }
  }

  /** Facts about a local image, or undefined when the engine does not have it. */
  async inspect(image: string): Promise<ImageFacts | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return { id: info.Id, sizeBytes: info.Size, repoDigests: info.RepoDigests ?? [], repoTags: info.RepoTags ?? [] };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      if (isUnreachable(error)) throw this.unreachable(error);
      throw new ImageBuildError(`Inspecting ${image} failed: ${engineMessage(error)}.`);
    }
  }

  /** Builds `spec.image`; resolves to the image id. A failed step rejects with ImageBuildError. */
  async build(spec: BuildSpec, onProgress: (p: DockerProgress) => void = () => {}): Promise<string> {
    const { stream: context, dockerfile } = await buildContext(spec.context, spec.dockerfile);
    const cacheFrom: string[] = [];
    for (const image of spec.cacheFrom ?? []) if (await this.inspect(image)) cacheFrom.push(image);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: spec.image,
        dockerfile,
        buildargs: spec.buildArgs ?? {},
        labels: spec.labels ?? {},
        ...(spec.target ? { target: spec.target } : {}),
        ...(cacheFrom.length ? { cachefrom: JSON.stringify(cacheFrom) } : {}),
        rm: true,
        forcerm: true,
        version: '1',
        abortSignal: spec.signal,
      });
    } catch (error) {
      context.destroy();
      if (isUnreachable(error)) throw this.unreachable(error);
      throw new ImageBuildError(`The engine refused to build ${spec.image}: ${engineMessage(error)}.`);
    }
    let imageId: string | undefined;
    const lastOutput: string[] = [];
    const events = await this.follow(stream, (event) => {
      if (event.aux?.ID) imageId = event.aux.ID;
      if (typeof event.stream === 'string') {
        // The classic builder colours a step's stderr: keep the text only.
        for (const line of event.stream.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
          const text = line.trimEnd();
          if (!text) continue;
          if (/^Step \d+\/\d+ : /.test(text)) onProgress({ kind: 'step', message: text });
          else if (/^ --->|^Removing intermediate container |^Successfully (built|tagged) /.test(text)) continue;
          else {
            onProgress({ kind: 'output', message: text });
            lastOutput.push(text);
            if (lastOutput.length > 5) lastOutput.shift();
          }
        }
      }
    });
    const failure = firstError(events);
    if (failure) throw new ImageBuildError(`Building ${spec.image} failed: ${failure}`);
    if (!imageId) {
      // Old engines only say "Successfully built <id>"; the tag is there either way.
      imageId = (await this.inspect(spec.image))?.id;
    }
    if (!imageId) throw new ImageBuildError(`Building ${spec.image} ended without an image.`);
    return imageId;
  }

  /** Pushes `image` (repository:tag); resolves to the digest the registry gave it. */
  async push(image: string, onProgress: (p: DockerProgress) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Promise<PushResult> {
    const { tag = 'latest', registry } = parseImageRef(image);
    const authconfig = await registryAuth(registry, env);
    let stream: NodeJS.ReadableStream;
    try {
      // An empty auth config still sends the header old engines insist on.
      stream = await this.docker.getImage(image).push({ tag, authconfig: authconfig ?? ({} as Docker.AuthConfig) });
    } catch (error) {
      if (isUnreachable(error)) throw this.unreachable(error);
      throw new ImageBuildError(`Pushing ${image} to ${registry} was refused: ${engineMessage(error)}.`);
    }
    let digest: string | undefined;
    const seen = new Set<string>();
    const events = await this.follow(stream, (event) => {
      if (event.aux?.Digest) digest = event.aux.Digest;
      const status = event.status;
      if (!status) return;
      const match = /digest: (sha256:[a-f0-9]{64})/.exec(status);
      if (match) digest ??= match[1];
      // One line per layer and outcome, not the byte-by-byte progress.
      if (event.id && /^(Pushed|Layer already exists|Mounted from)/.test(status)) {
        const key = `${event.id} ${status}`;
        if (!seen.has(key)) {
          seen.add(key);
          onProgress({ kind: 'status', message: `${event.id}: ${status}` });
        }
      }
    });
    const failure = firstError(events);
    if (failure) throw new ImageBuildError(`Pushing ${image} to ${registry} failed: ${failure}`);
    if (!digest) throw new ImageBuildError(`Pushing ${image} to ${registry} ended without a digest.`);
    return { digest };
  }

  /** followProgress that resolves with every event; a broken stream rejects. */
  private follow(stream: NodeJS.ReadableStream, onEvent: (event: EngineEvent) => void): Promise<EngineEvent[]> {
    return new Promise((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: EngineEvent[]) => {
          if (error) {
            if (isUnreachable(error)) reject(this.unreachable(error));
            else reject(new ImageBuildError(`The engine's progress stream broke: ${errorMessage(error)}.`));
          } else resolve(output ?? []);
        },
        (event: EngineEvent) => onEvent(event),
      );
    });
  }
}

function engineOptions(env: NodeJS.ProcessEnv): Docker.DockerOptions {
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: defaultSocket() };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || defaultSocket() };
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    return { protocol: 'ssh', host: url.hostname, port: url.port || '22', username: url.username, sshOptions: { agent: env.SSH_AUTH_SOCK } };
  }
  const tls = env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  const certs = env.DOCKER_CERT_PATH;
  return {
    host: url.hostname,
    port: url.port || (tls ? '2376' : '2375'),
    protocol: tls ? 'https' : 'http',
    ...(tls && certs
      ? {
          ca: readFileSync(path.join(certs, 'ca.pem')),
          cert: readFileSync(path.join(certs, 'cert.pem')),
          key: readFileSync(path.join(certs, 'key.pem')),
        }
      : {}),
  };
}

/** followProgress does not reject on a failed build: each event is checked for error/errorDetail. */
export function firstError(events: readonly EngineEvent[]): string | undefined {
  for (const event of events) {
    const message = event.errorDetail?.message ?? event.error;
    if (message) return message.trim();
  }
  return undefined;
}

// -------------------------------------------------------------------------------- build context

/**
 * The build context as a tar stream that honours `.dockerignore` at its root. The Dockerfile and
 * .dockerignore are always sent (as Docker does); a Dockerfile outside the context is added
 * under a generated name. Owners are reset to root, as the Docker CLI does.
 */
export async function buildContext(contextDir: string, dockerfile: string): Promise<{ stream: Readable; dockerfile: string }> {
  const root = path.resolve(contextDir);
  const dockerfilePath = path.resolve(root, dockerfile);
  const relDockerfile = path.relative(root, dockerfilePath).split(path.sep).join('/');
  const outside = relDockerfile.startsWith('../') || path.isAbsolute(relDockerfile);
  let patterns: string[] = [];
  try {
    patterns = (await readFile(path.join(root, '.dockerignore'), 'utf8')).split(/\r?\n/);
  } catch {
    // no .dockerignore: send everything
  }
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  const hasExceptions = patterns.some((p) => p.trim().startsWith('!'));
  const alwaysSent = new Set(['.dockerignore', ...(outside ? [] : [relDockerfile])]);
  let sentDockerfile = relDockerfile;
  let extra: Buffer | undefined;
  if (outside) {
    extra = await readFile(dockerfilePath);
    sentDockerfile = `.ecp-dockerfile-${process.pid}-${Date.now()}`;
  }
  const pack = tar.pack(root, {
    ignore: (name: string) => {
      const rel = path.relative(root, name).split(path.sep).join('/');
      if (rel === '' || alwaysSent.has(rel)) return false;
      if (!ig.ignores(rel)) return false;
      // A folder that is ignored may still hold an exception (`!dir/keep`): walk it then.
      if (hasExceptions) {
        // tar-fs asks for folders before their contents; keep them, filter the files.
        return !statIsDirectory(name);
      }
      return true;
    },
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
    ...(extra
      ? {
          finalize: false,
          finish: (p) => {
            p.entry({ name: sentDockerfile, mode: 0o644, mtime: new Date(0) }, extra);
            p.finalize();
          },
        }
      : {}),
  });
  return { stream: pack as unknown as Readable, dockerfile: sentDockerfile };
}

function statIsDirectory(file: string): boolean {
  try {
    return lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------- credentials

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function configDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

/** Keys a registry may be filed under in config.json. */
function registryKeys(registry: string): string[] {
  if (registry === DOCKER_HUB) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `http://${registry}/v1/`, `https://${registry}/v2/`];
}

function credentialHelper(helper: string, server: string): Promise<{ Username?: string; Secret?: string } | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        resolve(JSON.parse(stdout) as { Username?: string; Secret?: string });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(server);
  });
}

/**
 * Credentials for pushing to `registry`, or undefined for anonymous access. DOCKER_USERNAME and
 * DOCKER_PASSWORD win over the config file.
 */
export async function registryAuth(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<Docker.AuthConfig | undefined> {
  const serveraddress = registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
  if (env.DOCKER_USERNAME && env.DOCKER_PASSWORD) {
    return { username: env.DOCKER_USERNAME, password: env.DOCKER_PASSWORD, serveraddress };
  }
  let file: DockerConfigFile;
  try {
    file = JSON.parse(await readFile(path.join(configDir(env), 'config.json'), 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  const keys = registryKeys(registry);
  const helper = keys.map((k) => file.credHelpers?.[k]).find(Boolean) ?? file.credsStore;
  if (helper) {
    for (const key of keys) {
      const found = await credentialHelper(helper, key);
      if (found?.Secret) {
        return found.Username === '<token>' ? ({ identitytoken: found.Secret, serveraddress } as Docker.AuthConfig) : { username: found.Username ?? '', password: found.Secret, serveraddress };
      }
    }
  }
  for (const key of keys) {
    const entry = file.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress } as Docker.AuthConfig;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, serveraddress };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
    }
  }
  return undefined;
}
