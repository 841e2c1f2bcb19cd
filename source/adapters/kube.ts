/**
 * @kubernetes/client-node, wrapped: which cluster the kubeconfig names, and the few reads and
 * writes ecp makes. Errors become one sentence naming the cluster that was tried.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  setHeaderOptions,
  type Configuration,
  type KubernetesObject,
  type CoreV1Event,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
  type V1ControllerRevision,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { DURATION_BOUNDS, durationProblem, parseDuration } from '../domain/duration.js';
import type { WorkloadKind } from '../domain/manifest-model.js';
import { ClusterError, UsageError } from '../errors.js';
import { confirmHolds } from '../held-services.js';

import { debug } from '../log.js';
import { KubeHttp } from './kube-http.js';

export interface Cluster {
  kc: KubeConfig;
  context: string;
  server: string;
  /** "context ecp-sandbox (http://127.0.0.1:40123)" — for messages. */
  description: string;
  /** How long one request may take: ECP_KUBE_TIMEOUT, else KUBE_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs: number;
}

function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** The user's cluster, or undefined when no kubeconfig exists (then live state is Unknown). */
export function loadCluster(options: { env: NodeJS.ProcessEnv; context?: string; kubeconfig?: string }): Cluster | undefined {
  const files = options.kubeconfig ? [options.kubeconfig] : kubeconfigFiles(options.env);
  const existing = files.filter((f) => existsSync(f));
  if (existing.length === 0) {
    if (options.kubeconfig) throw new UsageError(`Kubeconfig ${options.kubeconfig} does not exist.`);
    if (options.context) throw new UsageError(`--context ${options.context} was given, but no kubeconfig was found (KUBECONFIG or ~/.kube/config).`);
    return undefined;
  }
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new UsageError(`Kubeconfig ${existing.join(', ')} could not be read: ${(error as Error).message}`);
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      throw new UsageError(`Context "${options.context}" is not in the kubeconfig (${existing.join(', ')}).`);
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`The kubeconfig (${existing.join(', ')}) has no current cluster; pass --context.`);
  const context = kc.getCurrentContext();
  return { kc, context, server: cluster.server, description: `context ${context} (${cluster.server})`, requestTimeoutMs: requestTimeoutOf(options.env) };
}

/** ECP_KUBE_TIMEOUT (a duration such as 3s) in place of KUBE_REQUEST_TIMEOUT_MS: shorter where a hung server must be found fast. */
function requestTimeoutOf(env: NodeJS.ProcessEnv): number {
  const text = env.ECP_KUBE_TIMEOUT;
  if (text === undefined || text === '') return KUBE_REQUEST_TIMEOUT_MS;
  const ms = parseDuration(text) ?? Number.NaN;
  const problem = durationProblem(`ECP_KUBE_TIMEOUT "${text.slice(0, 40)}"`, ms, DURATION_BOUNDS.kubeRequestTimeout);
  if (problem) throw new UsageError(problem);
  return ms;
}

/**
 * How long any request to the API server may take by default (client-node sets no limit: against
 * a hung server — SIGSTOPped, a dead load balancer — every read would wait forever, issue 15).
 * Watches have their own window (monitor/live-state.ts).
 */
export const KUBE_REQUEST_TIMEOUT_MS = 10_000;

/** The generated APIs' configuration for `kc`: its current cluster, its authentication, and every request aborted after `timeoutMs`. */
function timedConfiguration(kc: KubeConfig, timeoutMs: number): Configuration {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new UsageError('The kubeconfig has no current cluster; pass --context.');
  return createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (request) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          return request;
        },
        post: async (response) => response,
      },
    ],
  });
}

/** `kc.makeApiClient(Api)`, with every request aborted after `timeoutMs`. */
export function timedApiClient<T>(kc: KubeConfig, Api: new (configuration: Configuration) => T, timeoutMs = KUBE_REQUEST_TIMEOUT_MS): T {
  return new Api(timedConfiguration(kc, timeoutMs));
}

/** The generic object API (server-side apply, dry runs), with the request timeout. */
export function objectApiClient(kc: KubeConfig, timeoutMs = KUBE_REQUEST_TIMEOUT_MS): KubernetesObjectApi {
  // makeApiClient's own step, which is protected: the context's namespace is the default one.
  class TimedObjectApi extends KubernetesObjectApi {
    static of(config: KubeConfig): KubernetesObjectApi {
      const api = timedApiClient(config, TimedObjectApi, timeoutMs);
      api.setDefaultNamespace(config);
      return api;
    }
  }
  return TimedObjectApi.of(kc);
}

/** The request was aborted by its timeout: the server accepted it and never answered. */
function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; type?: string; cause?: { name?: string } } | undefined;
  return e?.name === 'AbortError' || e?.type === 'aborted' || e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError';
}

interface ApiErrorShape {
  code?: number | string;
  statusCode?: number;
  body?: unknown;
  message?: string;
  cause?: { code?: string; message?: string };
}

/** Status code of a client-node error, if the API answered at all. */
export function statusCodeOf(error: unknown): number | undefined {
  const e = error as ApiErrorShape;
  // A network failure (node-fetch FetchError) carries a string code such as ECONNREFUSED.
  const code = typeof e?.code === 'number' ? e.code : e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function apiMessage(error: unknown): string {
  const e = error as ApiErrorShape;
  if (typeof e.body === 'string') {
    try {
      const status = JSON.parse(e.body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not a Status body
    }
  }
  return e.cause?.message ?? e.cause?.code ?? e.message?.split('\n')[0] ?? String(error);
}

export function toClusterError(cluster: Cluster, what: string, error: unknown): ClusterError {
  if (isTimeout(error)) {
    debug('kube', `${what} on ${cluster.description} timed out`);
    return new ClusterError(`The Kubernetes API at ${cluster.description} did not answer within ${cluster.requestTimeoutMs / 1000} s (${what.toLowerCase()}).`);
  }
  const code = statusCodeOf(error);
  const detail = apiMessage(error);
  debug('kube', `${what} on ${cluster.description} failed: ${detail}`);
  return code
    ? new ClusterError(`${what} on ${cluster.description} failed (${code}): ${detail}`, code)
    : new ClusterError(`The Kubernetes API at ${cluster.description} could not be reached: ${detail}`);
}

/** RBAC's refusal in the server's words (they name the user, the verb and the namespace). */
function forbiddenText(error: unknown): string {
  return `not readable with this user's rights (RBAC): ${apiMessage(error)}`;
}

/** A container of a pod template, by its list and name. */
export interface ContainerSlot {
  list: 'containers' | 'initContainers';
  name: string;
}

/** A list of workloads of one kind: cluster-wide, or per namespace where RBAC forbids that. */
export interface WorkloadList<T> {
  items: T[];
  resourceVersion?: string;
  scope: 'cluster' | 'namespaces';
  unreadable: Map<string, string>;
}

export class KubeClient {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  private readonly http: KubeHttp;

  constructor(readonly cluster: Cluster) {
    const configuration = timedConfiguration(cluster.kc, cluster.requestTimeoutMs);
    this.apps = new AppsV1Api(configuration);
    this.core = new CoreV1Api(configuration);
    this.http = new KubeHttp(cluster, false);
  }

  /** A list as the API sent it (kube-http.ts): a re-list of 1 000 Deployments made 5.6 MB of client-node models beside the 4.6 MB of parsed JSON (the console's peak RSS, docs/benchmarks.md); objects from a watch are plain JSON too. */
  private list<T>(path: string, query: { labelSelector?: string } = {}): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }> {
    return this.http.request('GET', path, { query, timeoutMs: this.cluster.requestTimeoutMs });
  }

  /**
   * Every Deployment in one cluster-wide list; where RBAC forbids that (403), one list per
   * namespace of interest instead. Namespaces that RBAC forbids too are `unreadable`, with the
   * server's reason, so that no view calls their Deployments missing.
   */
  listDeployments(namespaces: readonly string[]): Promise<WorkloadList<V1Deployment>> {
    return this.listWorkloads(
      'Deployments',
      namespaces,
      () => this.list('/apis/apps/v1/deployments'),
      (namespace) => this.list(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`),
    );
  }

  /** Every StatefulSet, as listDeployments lists Deployments. */
  listStatefulSets(namespaces: readonly string[]): Promise<WorkloadList<V1StatefulSet>> {
    return this.listWorkloads(
      'StatefulSets',
      namespaces,
      () => this.list('/apis/apps/v1/statefulsets'),
      (namespace) => this.list(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets`),
    );
  }

  private async listWorkloads<T>(
    what: string,
    namespaces: readonly string[],
    all: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
    one: (namespace: string) => Promise<{ items: T[] }>,
  ): Promise<WorkloadList<T>> {
    const unreadable = new Map<string, string>();
    try {
      const list = await all();
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion, scope: 'cluster', unreadable };
    } catch (error) {
      if (statusCodeOf(error) !== 403) throw toClusterError(this.cluster, `Listing ${what}`, error);
    }
    const lists = await Promise.all(
      [...new Set(namespaces)].map((namespace) =>
        one(namespace).catch((error: unknown) => {
          if (statusCodeOf(error) === 403) unreadable.set(namespace, forbiddenText(error));
          else if (statusCodeOf(error) !== 404) throw toClusterError(this.cluster, `Listing ${what} in ${namespace}`, error);
          return { items: [] as T[] };
        }),
      ),
    );
    return { items: lists.flatMap((l) => l.items), scope: 'namespaces', unreadable };
  }

  /** The namespace's Pods; undefined where RBAC forbids reading them. */
  async listPods(namespace: string): Promise<V1Pod[] | undefined> {
    try {
      return (await this.list<V1Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`)).items;
    } catch (error) {
      if (statusCodeOf(error) === 403) return undefined;
      throw toClusterError(this.cluster, `Listing Pods in ${namespace}`, error);
    }
  }

  /** The namespace's ReplicaSets (what `kubectl rollout undo` chooses from), those with `labelSelector` if given; undefined where RBAC forbids reading them. */
  async listReplicaSets(namespace: string, labelSelector?: string): Promise<V1ReplicaSet[] | undefined> {
    try {
      return (await this.list<V1ReplicaSet>(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets`, { labelSelector })).items;
    } catch (error) {
      if (statusCodeOf(error) === 403) return undefined;
      throw toClusterError(this.cluster, `Listing ReplicaSets in ${namespace}`, error);
    }
  }

  /** The namespace's ControllerRevisions (a StatefulSet's history, what `kubectl rollout undo` chooses from), those with `labelSelector` if given; undefined where RBAC forbids reading them. */
  async listControllerRevisions(namespace: string, labelSelector?: string): Promise<V1ControllerRevision[] | undefined> {
    try {
      return (await this.list<V1ControllerRevision>(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/controllerrevisions`, { labelSelector })).items;
    } catch (error) {
      if (statusCodeOf(error) === 403) return undefined;
      throw toClusterError(this.cluster, `Listing ControllerRevisions in ${namespace}`, error);
    }
  }

  /** The namespace's Events; undefined where RBAC forbids reading them. */
  async listEvents(namespace: string): Promise<CoreV1Event[] | undefined> {
    try {
      return (await this.list<CoreV1Event>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`)).items;
    } catch (error) {
      if (statusCodeOf(error) === 403) return undefined;
      throw toClusterError(this.cluster, `Listing Events in ${namespace}`, error);
    }
  }

  /**
   * The last `tailLines` of a container's log (`previous`: of its run before the last restart).
   * The server's refusal comes back as text — a container that never started, a node that
   * serves no logs (kwok) — so that a diagnosis can say why there is no log.
   */
  async podLog(namespace: string, pod: string, container: string, options: { previous: boolean; tailLines: number }): Promise<{ text: string } | { unavailable: string }> {
    try {
      return { text: await this.core.readNamespacedPodLog({ name: pod, namespace, container, previous: options.previous, tailLines: options.tailLines }) };
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === undefined) throw toClusterError(this.cluster, `Reading the log of ${namespace}/${pod}`, error);
      return { unavailable: `${apiMessage(error)} (${code})` };
    }
  }

  /** Deletes a Pod (gone already is fine). */
  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw toClusterError(this.cluster, `Deleting Pod ${namespace}/${name}`, error);
    }
  }

  async readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.readWorkload('Deployment', namespace, name) as Promise<V1Deployment | undefined>;
  }

  /** A Deployment or StatefulSet, or undefined when it does not exist. */
  async readWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<V1Deployment | V1StatefulSet | undefined> {
    try {
      return kind === 'Deployment' ? await this.apps.readNamespacedDeployment({ name, namespace }) : await this.apps.readNamespacedStatefulSet({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw toClusterError(this.cluster, `Reading ${kind} ${namespace}/${name}`, error);
    }
  }

  /**
   * Sets containers' image with a strategic-merge patch that carries the resourceVersion read
   * before: the API answers 409 if anything changed since, instead of overwriting it. `container`
   * is one container's name, or every container (and init container) to set.
   */
  async setContainerImage(
    namespace: string,
    name: string,
    container: string | readonly ContainerSlot[],
    image: string,
    resourceVersion: string,
    kind: WorkloadKind = 'Deployment',
  ): Promise<V1Deployment | V1StatefulSet> {
    const slots = typeof container === 'string' ? [{ list: 'containers' as const, name: container }] : container;
    const lists: Record<string, { name: string; image: string }[]> = {};
    for (const slot of slots) (lists[slot.list] ??= []).push({ name: slot.name, image });
    const body = { metadata: { resourceVersion }, spec: { template: { spec: lists } } };
    const options = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await confirmHolds(`setting the image of ${kind} ${namespace}/${name}`);
    return kind === 'Deployment'
      ? this.apps.patchNamespacedDeployment({ name, namespace, body, fieldManager: 'ecp' }, options)
      : this.apps.patchNamespacedStatefulSet({ name, namespace, body, fieldManager: 'ecp' }, options);
  }
}

/**
 * The one server-side apply ecp sends (PATCH with application/apply-patch+yaml, field manager
 * named): `ecp apply` for real, validate and apply's pre-check as a dry run.
 */
export async function serverSideApply(api: KubernetesObjectApi, object: KubernetesObject, options: { dryRun: boolean; force: boolean; fieldManager: string }): Promise<KubernetesObject> {
  if (!options.dryRun) await confirmHolds(`applying ${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`);
  return api.patch(object, undefined, options.dryRun ? 'All' : undefined, options.fieldManager, options.force, PatchStrategy.ServerSideApply);
}
