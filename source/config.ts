/**
 * Configuration (DESIGN §4): defaults, then ecp.config.yaml (or --config FILE), then env vars,
 * then command-line flags. Validated once; an unknown key or bad value names the key and file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod/mini';
import './domain/zod-messages.js';
import { DURATION_BOUNDS, durationProblem, formatDuration, parseDuration } from './domain/duration.js';
import { serviceRepositoryOf, type ServiceImage } from './domain/manifest-model.js';
import { isDns1123Label } from './domain/names.js';
import { UsageError } from './errors.js';

/** What a bearer token of `ecp serve` may do: read, run the pipeline, or decide on approvals. */
export const SERVER_ROLES = ['reader', 'operator', 'approver'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** A bearer token of `ecp serve`, known by its sha256 only, bound to who uses it and what it may do. */
export interface ServerToken {
  sha256: string;
  identity: string;
  role: ServerRole;
}

/** Where the history is kept (DESIGN §11): a JSON file for one person, or ConfigMaps in the cluster for a team. */
export const STORE_BACKENDS = ['file', 'kubernetes'] as const;
export type StoreBackendName = (typeof STORE_BACKENDS)[number];

const severity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
const nonEmpty = () => z.string().check(z.minLength(1));
const duration = (bounds: { min: number; max: number }) =>
  z.string().check(
    z.refine((v) => parseDuration(v) !== undefined, { message: 'expected a duration such as 90s, 10m, 24h or 2d' }),
    z.refine((v) => durationProblem('', parseDuration(v)!, bounds) === undefined, {
      message: `expected a duration between ${formatDuration(bounds.min)} and ${formatDuration(bounds.max)}`,
    }),
  );
const seconds = (bounds: { min: number; max: number }) => z.int().check(z.gte(bounds.min / 1000), z.lte(bounds.max / 1000, { message: `expected at most ${bounds.max / 1000} seconds` }));

const IMAGE_REPOSITORY = /^[a-z0-9]+([._:-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

const serviceBuild = z.strictObject({
  name: z.string().check(z.refine(isDns1123Label, { message: 'expected a DNS-1123 label such as callbot' })),
  /** Without a build context the service is deployed, not built (an image built elsewhere). */
  context: z.optional(nonEmpty()),
  image: z.optional(z.string().check(z.regex(IMAGE_REPOSITORY, 'expected an image repository without a tag, such as quay.io/argoproj/argocd'))),
  workloads: z.optional(z.array(z.string().check(z.refine(isDns1123Label, { message: 'expected workload names (DNS-1123 labels)' }))).check(z.minLength(1))),
  dockerfile: z._default(nonEmpty(), 'Dockerfile'),
  buildArgs: z._default(z.record(z.string(), z.string()), {}),
  target: z.optional(nonEmpty()),
});

export const configFileSchema = z.strictObject({
  registry: z.optional(nonEmpty()),
  imagePrefix: z.optional(nonEmpty()),
  manifestsDir: z.optional(nonEmpty()),
  dataDir: z.optional(nonEmpty()),
  tagPolicy: z.optional(z.enum(['branch', 'semver', 'template'])),
  tagTemplate: z.optional(nonEmpty()),
  gitTagPattern: z.optional(nonEmpty()),
  gitRemote: z.optional(nonEmpty()),
  monitorInterval: z.optional(seconds(DURATION_BOUNDS.monitorInterval)),
  services: z.optional(z.array(serviceBuild)),
  autoRollback: z.optional(
    z.strictObject({
      services: z._default(z.array(z.string()), []),
      protectedNamespaces: z._default(z.array(z.string()), ['*prod*']),
    }),
  ),
  vulnerabilityGate: z.optional(
    z.strictObject({
      failOn: z._default(z.array(severity), ['CRITICAL', 'HIGH']),
      maxCount: z.optional(z.int().check(z.nonnegative())),
    }),
  ),
  requireApproval: z.optional(z.array(z.string())),
  approvalTtl: z.optional(duration(DURATION_BOUNDS.approvalTtl)),
  operators: z.optional(z.array(z.string())),
  approvers: z.optional(z.array(z.string())),
  readOnly: z.optional(z.boolean()),
  history: z.optional(z.strictObject({ keepPerService: z._default(z.int().check(z.gte(1)), 50) })),
  store: z.optional(
    z.strictObject({
      backend: z._default(z.enum(STORE_BACKENDS), 'file'),
      namespace: z._default(z.string().check(z.refine(isDns1123Label, { message: 'expected a namespace name such as ecp-system' })), 'ecp-system'),
      context: z.optional(nonEmpty()),
    }),
  ),
  server: z.optional(
    z.strictObject({
      tokens: z._default(
        z.array(
          z.strictObject({
            sha256: z.string().check(z.regex(/^[a-f0-9]{64}$/, "expected the 64 hex digits of the token's sha256")),
            identity: nonEmpty(),
            role: z.enum(SERVER_ROLES),
          }),
        ),
        [],
      ),
    }),
  ),
});

export type Severity = z.infer<typeof severity>;

export interface ServiceBuildConfig {
  name: string;
  /** Absolute path of the build context. */
  context: string;
  /** Path of the Dockerfile relative to the context. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
}

export interface Config {
  /** The config file that was read, if any. */
  configFile?: string;
  /** Folder that relative paths in the config file are resolved against; also the git work tree. */
  baseDir: string;
  registry: string;
  imagePrefix: string;
  manifestsDir: string;
  dataDir: string;
  tagPolicy: 'branch' | 'semver' | 'template';
  tagTemplate: string;
  gitTagPattern: string;
  gitRemote: string;
  monitorIntervalSeconds: number;
  /** The services with a build context: what `ecp build` builds. */
  services: ServiceBuildConfig[];
  /** Every service of `services:` with its image repository and workloads (issue 20). */
  serviceImages: ServiceImage[];
  autoRollback: { services: string[]; protectedNamespaces: string[] };
  vulnerabilityGate: { failOn: Severity[]; maxCount?: number };
  requireApproval: string[];
  approvalTtlMs: number;
  operators: string[];
  approvers: string[];
  readOnly: boolean;
  keepPerService: number;
  /** The store's backend; for kubernetes, its namespace, the kubeconfig context (default: the current one) and where the kubeconfig is found. */
  store: { backend: StoreBackendName; namespace: string; context?: string; kubeconfigEnv: { KUBECONFIG?: string; HOME?: string } };
  /** How long a write waits for the data dir's lock (ECP_LOCK_TIMEOUT, seconds). */
  lockWaitMs: number;
  serverTokens: ServerToken[];
  kubeContext?: string;
  debug: boolean;
}

export interface ConfigInputs {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config FILE */
  configPath?: string;
  /** --data-dir DIR */
  dataDir?: string;
  /** --context NAME */
  kubeContext?: string;
  /** --readonly */
  readOnly?: boolean;
}

export const DEFAULT_CONFIG_NAME = 'ecp.config.yaml';

function readConfigFile(file: string): z.infer<typeof configFileSchema> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'), { logLevel: 'error' }) ?? {};
  } catch (error) {
    // The parser's first line says what and where, and ends in a colon before its excerpt of the file.
    const reason = (error instanceof Error ? error.message.split('\n')[0]! : String(error)).replace(/[:.\s]+$/, '');
    throw new UsageError(`Config file ${file} ${error instanceof Error && error.name === 'YAMLParseError' ? 'is not valid YAML' : 'could not be read'}: ${reason}.`);
  }
  const result = configFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(top level)';
    const detail = issue.code === 'unrecognized_keys' ? `unknown key "${[...issue.path, issue.keys[0]].join('.')}"` : `key "${key}": ${issue.message}`;
    throw new UsageError(`Config file ${file} has an invalid ${detail}.`);
  }
  return result.data;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function loadConfig(inputs: ConfigInputs): Config {
  const { cwd, env } = inputs;
  const explicit = inputs.configPath ?? envValue(env, 'ECP_CONFIG');
  const configFile = explicit ? path.resolve(cwd, explicit) : path.join(cwd, DEFAULT_CONFIG_NAME);
  if (explicit && !existsSync(configFile)) {
    throw new UsageError(`Config file ${configFile} does not exist.`);
  }
  const found = existsSync(configFile);
  const file = found ? readConfigFile(configFile) : {};
  const baseDir = found ? path.dirname(configFile) : cwd;
  const fromFile = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  const fromEnv = (p: string | undefined) => (p === undefined ? undefined : path.resolve(cwd, p));

  const registry = envValue(env, 'DOCKER_REGISTRY') ?? file.registry ?? 'localhost:5000';
  const imagePrefix = envValue(env, 'IMAGE_PREFIX') ?? file.imagePrefix ?? 'ecp-ai';
  if (/\s|^\/|\/$/.test(registry)) throw new UsageError(`Registry "${registry}" (DOCKER_REGISTRY or registry) is not a registry host such as localhost:5000.`);
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(imagePrefix)) {
    throw new UsageError(`Image prefix "${imagePrefix}" (IMAGE_PREFIX or imagePrefix) is not a valid image path such as ecp-ai.`);
  }
  const approvalTtl = file.approvalTtl ?? '24h';
  const storeBackend = envValue(env, 'ECP_STORE') ?? file.store?.backend ?? 'file';
  if (!(STORE_BACKENDS as readonly string[]).includes(storeBackend)) {
    throw new UsageError(`ECP_STORE "${storeBackend.slice(0, 40)}" is not a store backend: expected ${STORE_BACKENDS.join(' or ')}.`);
  }
  const lockTimeout = envValue(env, 'ECP_LOCK_TIMEOUT');
  const lockWaitMs = lockTimeout === undefined ? 30_000 : (parseDuration(lockTimeout) ?? Number.NaN);
  const lockProblem = durationProblem(`ECP_LOCK_TIMEOUT "${lockTimeout?.slice(0, 40)}"`, lockWaitMs, DURATION_BOUNDS.lockTimeout);
  if (lockProblem) throw new UsageError(lockProblem);

  return {
    configFile: found ? configFile : undefined,
    baseDir,
    registry,
    imagePrefix,
    manifestsDir: fromEnv(envValue(env, 'K8S_MANIFESTS_DIR')) ?? fromFile(file.manifestsDir) ?? path.resolve(cwd, 'k8s-manifests'),
    dataDir: (inputs.dataDir ? path.resolve(cwd, inputs.dataDir) : undefined) ?? fromEnv(envValue(env, 'ECP_DATA_DIR')) ?? fromFile(file.dataDir) ?? path.resolve(cwd, 'data'),
    tagPolicy: file.tagPolicy ?? 'branch',
    tagTemplate: file.tagTemplate ?? '{branch}-{sha}-{timestamp}',
    gitTagPattern: file.gitTagPattern ?? 'deploy/{tenant}/{timestamp}',
    gitRemote: file.gitRemote ?? 'origin',
    monitorIntervalSeconds: file.monitorInterval ?? 30,
    services: (file.services ?? []).flatMap((s) =>
      s.context === undefined ? [] : [{ name: s.name, context: path.resolve(baseDir, s.context), dockerfile: s.dockerfile, buildArgs: s.buildArgs, target: s.target }],
    ),
    serviceImages: (file.services ?? []).map((s) => ({ name: s.name, repository: s.image ?? serviceRepositoryOf({ registry, imagePrefix }, s.name), workloads: s.workloads })),
    autoRollback: file.autoRollback ?? { services: [], protectedNamespaces: ['*prod*'] },
    vulnerabilityGate: file.vulnerabilityGate ?? { failOn: ['CRITICAL', 'HIGH'] },
    requireApproval: file.requireApproval ?? ['*prod*'],
    approvalTtlMs: parseDuration(approvalTtl)!,
    operators: file.operators ?? [],
    approvers: file.approvers ?? [],
    readOnly: inputs.readOnly === true || file.readOnly === true,
    keepPerService: file.history?.keepPerService ?? 50,
    store: { backend: storeBackend as StoreBackendName, namespace: file.store?.namespace ?? 'ecp-system', context: file.store?.context, kubeconfigEnv: { KUBECONFIG: env.KUBECONFIG, HOME: env.HOME } },
    lockWaitMs,
    serverTokens: file.server?.tokens ?? [],
    kubeContext: inputs.kubeContext,
    debug: env.DEBUG === '1' || env.DEBUG === 'true',
  };
}

/** The service's image repository: its configured `image`, else `${registry}/${prefix}/${service}`. */
export function serviceRepository(config: Pick<Config, 'registry' | 'imagePrefix' | 'serviceImages'>, service: string): string {
  return serviceRepositoryOf(config, service);
}
