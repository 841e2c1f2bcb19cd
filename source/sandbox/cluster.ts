/**
 * Kubernetes write semantics over the store, shared by the HTTP handlers and the controllers:
 * defaulting, validation, generation (spec changes only), resourceVersion preconditions,
 * status/spec separation between an object and its status subresource, managedFields,
 * "unchanged write keeps its resourceVersion", dry runs, namespaces that must exist (each with its
 * `default` ServiceAccount) and cascading delete.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { applyDefaults } from './defaults.js';
import type { Scope } from './fieldset.js';
import type { ApplyConfig } from './decode.js';
import { asArray, asNumber, asObject, asString, at, clone, deepEqual, goJson, isObject, shareEqualParts, timestamp, type Json, type JsonObject, type KubeObject } from './json.js';
import { recordUpdate, serverSideApply, type Writer } from './managed-fields.js';
import { apiVersionOf, allResources, configMaps, deployments, findByKind, namespaces, pods, qualifiedName, serviceAccounts, type ResourceType } from './resources.js';
import { alreadyExists, ApiError, badRequest, conflict, notFound } from './status.js';
import type { Store } from './store.js';
import { decodeTyped } from './typed.js';
import { validate } from './validate.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface WriteOptions {
  /** The fieldManager recorded in managedFields. */
  manager: string;
  dryRun?: boolean;
  /** 'status' for the status subresource: only status changes are kept. */
  scope?: Scope;
}

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  propagation?: Propagation;
  preconditions?: JsonObject;
  /** 0 deletes a pod at once; unset: its spec.terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
}

const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Empty maps and lists in metadata are omitted, as Go's omitempty does. */
function isEmpty(value: Json): boolean {
  return Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
}

/** Keys in the order the API server writes them, so raw JSON reads like a real reply. */
function ordered(type: ResourceType, obj: KubeObject): KubeObject {
  const metadata: JsonObject = {};
  for (const key of META_ORDER) if (obj.metadata[key] !== undefined && !isEmpty(obj.metadata[key]!)) metadata[key] = obj.metadata[key]!;
  for (const [key, value] of Object.entries(obj.metadata)) if (!META_ORDER.includes(key)) metadata[key] = value;
  const out: KubeObject = { kind: type.kind, apiVersion: apiVersionOf(type), metadata };
  for (const key of ['spec', 'status']) if (obj[key] !== undefined) out[key] = obj[key]!;
  for (const [key, value] of Object.entries(obj)) if (!(key in out)) out[key] = value;
  return out;
}

const FOREGROUND = 'foregroundDeletion';

const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
/** A placeholder: the sandbox serves plain HTTP, so nothing is signed with it. */
const SANDBOX_CA = '-----BEGIN CERTIFICATE-----\nZWNwIHNhbmRib3ggKG5vIFRMUyk=\n-----END CERTIFICATE-----\n';

export class Cluster {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    // The garbage collector's part of a foreground delete: an owner goes once its last dependent has.
    store.onChange((change) => {
      if (change.type === 'DELETED') this.releaseOwners(change.object);
    });
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    const obj = this.store.get(type, namespace, name);
    if (!obj) throw notFound(type, name);
    return obj;
  }

  private writer(type: ResourceType, options: WriteOptions): Writer {
    return { manager: options.manager, apiVersion: apiVersionOf(type), time: timestamp(this.clock.now()), scope: options.scope ?? 'main' };
  }

  private checkIdentity(type: ResourceType, body: KubeObject, namespace: string, name?: string): void {
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(`${String(body.kind)} in version "${String(body.apiVersion)}" cannot be handled as a ${type.kind}: the object provided is unrecognized (must be of type ${type.kind})`);
    }
    const bodyNs = asString(body.metadata.namespace);
    if (type.namespaced && bodyNs && bodyNs !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const bodyName = asString(body.metadata.name);
    if (name !== undefined && bodyName && bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
  }

  /** POST. `record` replaces the default managedFields bookkeeping (apply brings its own). */
  create(type: ResourceType, namespace: string, body: KubeObject, options: WriteOptions, record?: (obj: KubeObject) => void): KubeObject {
    this.checkIdentity(type, body, namespace);
    const obj = clone(body);
    const generateName = asString(obj.metadata.generateName);
    if (!asString(obj.metadata.name) && generateName) obj.metadata.name = generateName + suffix();
    const name = asString(obj.metadata.name) ?? '';
    if (type.namespaced) obj.metadata.namespace = namespace;
    else delete obj.metadata.namespace;
    const home = type.namespaced ? this.store.get(namespaces, '', namespace) : undefined;
    if (type.namespaced && !home) throw notFound(namespaces, namespace);
    if (home?.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${qualifiedName(type)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name,
        kind: type.plural,
      });
    }
    if (this.store.get(type, type.namespaced ? namespace : '', name)) throw alreadyExists(type, name);
    // Create ignores status, as the real strategies do (a Namespace defaults it to Active).
    if (type.subresources.includes('status')) delete obj.status;
    for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'deletionTimestamp']) delete obj.metadata[key];
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = timestamp(this.clock.now());
    if (type.hasGeneration) obj.metadata.generation = 1;
    applyDefaults(obj);
    validate(type, obj);
    if (record) record(obj);
    else recordUpdate(undefined, obj, this.writer(type, options));
    const result = ordered(type, obj);
    if (options.dryRun) return result;
    const stored = this.store.put(type, result);
    if (type === namespaces) {
      // The service account controller and the root CA publisher give every namespace these two.
      this.create(serviceAccounts, name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }, { manager: 'kube-controller-manager' });
      this.create(
        configMaps,
        name,
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': SANDBOX_CA } },
        { manager: 'kube-controller-manager' },
      );
    }
    return stored;
  }

  /** PUT: replaces the object (or its status); a stale resourceVersion in the body is a 409. */
  replace(type: ResourceType, namespace: string, name: string, body: KubeObject, options: WriteOptions): KubeObject {
    this.checkIdentity(type, body, namespace, name);
    const previous = this.get(type, namespace, name);
    const rv = asString(body.metadata.resourceVersion);
    if (rv && rv !== previous.metadata.resourceVersion) throw conflict(type, name);
    const next = withoutManagedFields(body);
    return this.commit(type, previous, next, options, () => recordUpdate(previous, next, this.writer(type, options)));
  }

  /** A patch already applied to the current object; a resourceVersion the patch set must still match. */
  replacePatched(type: ResourceType, previous: KubeObject, patched: KubeObject, options: WriteOptions): KubeObject {
    const name = asString(previous.metadata.name) ?? '';
    this.checkIdentity(type, patched, asString(previous.metadata.namespace) ?? '', name);
    if (patched.metadata.resourceVersion !== previous.metadata.resourceVersion) throw conflict(type, name);
    const next = withoutManagedFields(patched);
    return this.commit(type, previous, next, options, () => recordUpdate(previous, next, this.writer(type, options)));
  }

  /** Server-side apply; creates the object when absent (`created` tells the caller to answer 201). */
  apply(type: ResourceType, namespace: string, name: string, { typed: config, sent }: ApplyConfig, options: WriteOptions & { force: boolean }): { object: KubeObject; created: boolean } {
    this.checkIdentity(type, config, namespace, name);
    if (!config.kind || !config.apiVersion) throw badRequest('apiVersion and kind must be set in an apply patch');
    const previous = this.store.get(type, type.namespaced ? namespace : '', name);
    const rv = asString(config.metadata.resourceVersion);
    if (previous && rv && rv !== previous.metadata.resourceVersion) throw conflict(type, name);
    if (!previous && rv) throw notFound(type, name);
    const applied = serverSideApply(previous, config, this.writer(type, options), options.force);
    // The merged object becomes the Go struct, which drops the zeros omitempty drops.
    const merged = decodeTyped(type.kind, applied).object;
    merged.metadata.name = name;
    if (options.manager === 'kubectl' && previous) syncLastApplied(previous, merged, sent);
    if (!previous) {
      const object = this.create(type, namespace, merged, options, (obj) => {
        obj.metadata.managedFields = merged.metadata.managedFields!;
      });
      return { object, created: true };
    }
    return { object: this.commit(type, previous, merged, options, () => undefined), created: false };
  }

  /** The shared tail of every update: keep the other scope, default, validate, bump generation, store if changed. */
  private commit(type: ResourceType, previous: KubeObject, next: KubeObject, options: WriteOptions, record: () => void): KubeObject {
    const scope = options.scope ?? 'main';
    if (scope === 'status') {
      const status = next.status;
      const managed = next.metadata.managedFields;
      const annotations = next.metadata.annotations;
      for (const key of Object.keys(next)) delete next[key];
      Object.assign(next, withoutManagedFields(previous));
      if (status === undefined) delete next.status;
      else next.status = status;
      if (managed === undefined) delete next.metadata.managedFields;
      else next.metadata.managedFields = managed;
      // A Deployment's status write keeps its annotations: the deployment controller records the
      // revision there without bumping the generation.
      if (type === deployments) {
        if (annotations === undefined) delete next.metadata.annotations;
        else next.metadata.annotations = annotations;
      }
    } else if (type.subresources.includes('status')) {
      if (previous.status === undefined) delete next.status;
      else next.status = clone(previous.status);
    }
    for (const key of ['uid', 'creationTimestamp', 'name', 'namespace', 'deletionTimestamp']) {
      if (previous.metadata[key] === undefined) delete next.metadata[key];
      else next.metadata[key] = previous.metadata[key]!;
    }
    next.metadata.resourceVersion = previous.metadata.resourceVersion!;
    applyDefaults(next);
    // A status write cannot change the spec, so only object writes need the spec validated.
    if (scope === 'main') validate(type, next, previous);
    if (type.hasGeneration) {
      const generation = typeof previous.metadata.generation === 'number' ? previous.metadata.generation : 1;
      // A Deployment's annotations count as spec (the API server's strategy: they are copied to its ReplicaSets).
      const changed = !deepEqual(next.spec, previous.spec) || (type === deployments && scope === 'main' && !deepEqual(next.metadata.annotations, previous.metadata.annotations));
      next.metadata.generation = changed ? generation + 1 : generation;
    }
    record();
    const result = ordered(type, next);
    // The watch window keeps up to 10 000 states: what the write left alone is previous's, once.
    shareEqualParts(result, previous);
    if (deepEqual(result, previous)) return previous;
    return options.dryRun ? result : this.store.put(type, result);
  }

  /**
   * Deletes an object and, unless orphaning, everything it owns (the garbage collector's job).
   * A pod on a node is only marked (deletionTimestamp, grace period) for its kubelet to stop,
   * and a namespace is Terminating until the namespace controller has emptied it.
   */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions): KubeObject {
    const obj = this.get(type, namespace, name);
    const pre = options.preconditions;
    if (pre && ((pre.uid && pre.uid !== obj.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion))) {
      throw conflict(type, name);
    }
    if (options.dryRun) return obj;
    const grace = options.gracePeriodSeconds ?? asNumber(at(obj, 'spec', 'terminationGracePeriodSeconds')) ?? 30;
    const graceful = (type === pods && asString(at(obj, 'spec', 'nodeName')) !== undefined && grace > 0) || type === namespaces;
    if (graceful) {
      if (obj.metadata.deletionTimestamp) return obj;
      const metadata: JsonObject = { ...obj.metadata, deletionTimestamp: timestamp(this.clock.now() + (type === pods ? grace * 1000 : 0)) };
      if (type === pods) metadata.deletionGracePeriodSeconds = grace;
      const marked: KubeObject = { ...obj, metadata };
      if (type === namespaces) {
        marked.status = { ...(asObject(obj.status) ?? {}), phase: 'Terminating' };
        this.clock.schedule(0, () => this.finalizeNamespace(name));
      }
      return this.store.put(type, marked);
    }
    const uid = String(obj.metadata.uid);
    if (options.propagation === 'Foreground' && this.store.dependents(uid).length > 0) {
      // Foreground: the owner stays, marked, until the dependents are gone (releaseOwners).
      const finalizers = asArray(obj.metadata.finalizers).map(String);
      const marked = obj.metadata.deletionTimestamp
        ? obj
        : this.store.put(type, { ...obj, metadata: { ...obj.metadata, deletionTimestamp: timestamp(this.clock.now()), finalizers: [...new Set([...finalizers, FOREGROUND])] } });
      for (const dep of this.store.dependents(uid)) {
        if (this.store.get(dep.type, dep.namespace, dep.name)) this.delete(dep.type, dep.namespace, dep.name, { propagation: 'Foreground' });
      }
      return this.store.get(type, namespace, name) ?? marked;
    }
    this.store.remove(type, namespace, name);
    for (const dep of this.store.dependents(uid)) {
      const child = this.store.get(dep.type, dep.namespace, dep.name);
      if (!child) continue;
      if (options.propagation === 'Orphan') {
        const refs = asArray(child.metadata.ownerReferences).filter((r) => at(r, 'uid') !== uid);
        const next: KubeObject = { ...child, metadata: { ...child.metadata, ownerReferences: refs } };
        if (refs.length === 0) delete next.metadata.ownerReferences;
        this.store.put(dep.type, next);
      } else {
        this.delete(dep.type, dep.namespace, dep.name, { propagation: options.propagation });
      }
    }
    return obj;
  }

  /** Removes the owners of a deleted object that were only waiting for their last dependent (foreground deletion). */
  private releaseOwners(obj: KubeObject): void {
    const namespace = asString(obj.metadata.namespace) ?? '';
    for (const ref of asArray(obj.metadata.ownerReferences)) {
      const type = findByKind(String(at(ref, 'apiVersion')), String(at(ref, 'kind')));
      const owner = type && this.store.get(type, type.namespaced ? namespace : '', String(at(ref, 'name')));
      if (!type || !owner || owner.metadata.uid !== at(ref, 'uid')) continue;
      const waiting = asArray(owner.metadata.finalizers).includes(FOREGROUND) && owner.metadata.deletionTimestamp;
      if (waiting && this.store.dependents(String(owner.metadata.uid)).length === 0) this.store.remove(type, type.namespaced ? namespace : '', String(owner.metadata.name));
    }
  }

  /** The namespace controller: removes what a Terminating namespace holds, then the namespace. */
  private finalizeNamespace(name: string): void {
    for (const other of allResources) {
      if (other.namespaced) for (const o of this.store.list(other, name)) this.store.remove(other, name, String(o.metadata.name));
    }
    if (this.store.get(namespaces, '', name)) this.store.remove(namespaces, '', name);
  }

  /** Creates a namespace unless it exists (seeding: a tenant folder's objects go into its namespace). */
  ensureNamespace(name: string): void {
    if (this.store.get(namespaces, '', name)) return;
    this.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { manager: 'ecp-sandbox' });
  }
}

/**
 * The API server keeps kubectl's client-side last-applied annotation true to a kubectl
 * server-side apply (apiserver's lastAppliedUpdater): where the live object has one, it becomes
 * the configuration as sent, minus that annotation, encoded as Go encodes an unstructured object.
 */
function syncLastApplied(previous: KubeObject, merged: KubeObject, sent: KubeObject): void {
  const live = asString(asObject(previous.metadata.annotations)?.[LAST_APPLIED]);
  const annotations = asObject(merged.metadata.annotations);
  if (!live || !annotations) return;
  const config = clone(sent);
  const sentAnnotations = asObject(config.metadata.annotations);
  if (sentAnnotations) delete sentAnnotations[LAST_APPLIED];
  else delete config.metadata.annotations;
  annotations[LAST_APPLIED] = `${goJson(config)}\n`;
}

/** A deep copy to edit, minus managedFields: every write recomputes those from the stored object. */
function withoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = obj.metadata;
  return clone({ ...obj, metadata });
}

/** generateName's random suffix: five characters from the API server's alphabet. */
function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}
