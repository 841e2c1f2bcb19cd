/**
 * The team store's objects (DESIGN §11): ConfigMaps in one namespace, read and written with the
 * API's own concurrency control. A create fails on a duplicate name (409 AlreadyExists), a replace
 * carries the resourceVersion it read (409 Conflict when the object moved on), a delete carries
 * it as a precondition. A request the network lost, or one the server could not serve for a
 * moment (429, 5xx), is sent again after a short wait: every write here is safe to repeat,
 * because a repeat answers 409 and the callers treat that as "done already". RBAC's refusal
 * becomes one sentence naming the verb, the resource and the Role to bind.
 */
import { CoreV1Api, Observable, type ObservableMiddleware, type V1ConfigMap } from '@kubernetes/client-node';
import { keptAgent } from '../../adapters/kube-agents.js';
import { KubeHttp, type Method } from '../../adapters/kube-http.js';
import { type Cluster, statusCodeOf, toClusterError } from '../../adapters/kube.js';
import { StoreError } from '../../errors.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ecp' } as const;
export const KIND_LABEL = 'ecp.dev/kind';
export const SERVICE_LABEL = 'ecp.dev/service';
export const TENANT_LABEL = 'ecp.dev/tenant';

/** Where docs keep the Role a namespace-limited operator needs. */
export const ROLE_DOC = 'docs/team-store-role.yaml';

export interface StoredObject {
  name: string;
  resourceVersion: string;
  labels: Record<string, string>;
  data: Record<string, string>;
}

/** The write was refused because the object is there already (create) or moved on (replace, delete). */
export class Conflict extends Error {}

const RETRIES = 8;
/** A request the server never answers is abandoned after this long, and sent again. */
const REQUEST_TIMEOUT_MS = 10_000;

const deadline: ObservableMiddleware = {
  pre: (context) => {
    context.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    const fresh = context.getAgent();
    if (fresh) context.setAgent(keptAgent(fresh));
    return new Observable(Promise.resolve(context));
  },
  post: (response) => new Observable(Promise.resolve(response)),
};

/** Request options that give every request its own deadline (client-node sends none of its own) and a kept connection. */
export const WITH_DEADLINE = { middleware: [deadline], middlewareMergeStrategy: 'append' as const };

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function toStored(cm: V1ConfigMap): StoredObject {
  return { name: cm.metadata!.name!, resourceVersion: cm.metadata!.resourceVersion!, labels: cm.metadata?.labels ?? {}, data: cm.data ?? {} };
}

export class StoreObjects {
  readonly api: CoreV1Api;
  /** The lists, reads and writes of ConfigMaps go the lean way (kube-http.ts): the hot path of every change. */
  readonly http: KubeHttp;
  /** The API path of the namespace's ConfigMaps. */
  readonly path: string;

  constructor(
    readonly cluster: Cluster,
    readonly namespace: string,
  ) {
    this.api = cluster.kc.makeApiClient(CoreV1Api);
    this.http = new KubeHttp(cluster);
    this.path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  }

  private send<T>(method: Method, name: string | undefined, options: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    return this.http.request<T>(method, name === undefined ? this.path : `${this.path}/${encodeURIComponent(name)}`, { ...options, timeoutMs: REQUEST_TIMEOUT_MS });
  }

  /** "configmaps in namespace ecp-system of context kind-team (https://…)" — for messages. */
  get where(): string {
    return `configmaps in namespace ${this.namespace} of ${this.cluster.description}`;
  }

  /**
   * Runs one request, sending it again while the network or the server fails for a moment.
   * 409 becomes Conflict, 404 undefined; 403 and anything else one sentence.
   */
  async call<T>(verb: string, resource: string, what: string, request: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const code = statusCodeOf(error);
        if (code === 409) throw new Conflict(what);
        if (code === 404) return undefined;
        if (code === 403) {
          throw new StoreError(
            `The team store refused ${what}: this user may not ${verb} ${resource} in namespace ${this.namespace} of ${this.cluster.description} (RBAC); bind the Role in ${ROLE_DOC}; nothing changed.`,
          );
        }
        if ((code === undefined || RETRYABLE.has(code)) && attempt < RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
          continue;
        }
        const failure = toClusterError(this.cluster, `The team store's ${what}`, error);
        throw new StoreError(`${failure.message.replace(/\.$/, '')}; nothing changed.`);
      }
    }
  }

  /** A create answered 404: the namespace is not there. */
  namespaceMissing(): StoreError {
    return new StoreError(`The team store's namespace ${this.namespace} does not exist on ${this.cluster.description}; create it (kubectl create namespace ${this.namespace}); nothing changed.`);
  }

  /**
   * Throws namespaceMissing() when the namespace is certainly not there: a list in a missing
   * namespace answers empty, as an empty store does, so a mistyped namespace read as "no versions
   * registered". Asked only when a list found no head. Where the user may not read namespaces (a
   * namespace-limited Role: 403) it cannot tell, and lets the empty store be.
   */
  async confirmNamespace(): Promise<void> {
    const code = await this.api.readNamespace({ name: this.namespace }, WITH_DEADLINE).then(
      () => 200,
      (error: unknown) => statusCodeOf(error),
    );
    if (code === 404) throw this.namespaceMissing();
  }

  async list(selector: string): Promise<StoredObject[]> {
    const list = await this.call('list', 'configmaps', `list of ${selector}`, () => this.send<{ items: V1ConfigMap[] }>('GET', undefined, { query: { labelSelector: selector } }));
    return (list?.items ?? []).map(toStored);
  }

  async read(name: string): Promise<StoredObject | undefined> {
    const cm = await this.call('get', 'configmaps', `read of ${name}`, () => this.send<V1ConfigMap>('GET', name));
    return cm && toStored(cm);
  }

  /** Creates the object; Conflict when one of that name exists already. */
  async create(name: string, labels: Record<string, string>, data: Record<string, string>): Promise<StoredObject> {
    const body: V1ConfigMap = { metadata: { name, labels: { ...MANAGED_BY, ...labels } }, data };
    const created = await this.call('create', 'configmaps', `create of ${name}`, () => this.send<V1ConfigMap>('POST', undefined, { body }));
    if (!created) throw this.namespaceMissing();
    return toStored(created);
  }

  /** Replaces the object if it is still at `resourceVersion`; Conflict when it moved on, undefined when it is gone. */
  async replace(name: string, resourceVersion: string, labels: Record<string, string>, data: Record<string, string>): Promise<StoredObject | undefined> {
    const body: V1ConfigMap = { metadata: { name, resourceVersion, labels: { ...MANAGED_BY, ...labels } }, data };
    const replaced = await this.call('update', 'configmaps', `update of ${name}`, () => this.send<V1ConfigMap>('PUT', name, { body }));
    return replaced && toStored(replaced);
  }

  /** Deletes the object if it is still at `resourceVersion`; Conflict when it moved on. */
  async remove(name: string, resourceVersion: string): Promise<void> {
    await this.call('delete', 'configmaps', `delete of ${name}`, () => this.send('DELETE', name, { body: { preconditions: { resourceVersion } } }));
  }
}
