/**
 * The endpoints and EndpointSlice controllers: for each Service with a selector, the pods it
 * selects that have an IP, as core/v1 Endpoints (addresses / notReadyAddresses) and as a
 * discovery.k8s.io/v1 EndpointSlice (what `kubectl describe service` reads), with the Service's
 * target ports resolved (a named targetPort through the pod's container ports).
 */
import type { Cluster } from './cluster.js';
import { asArray, asObject, asString, at, deepEqual, labelsOf, type Json, type JsonObject, type KubeObject } from './json.js';
import { isReady } from './kubelet.js';
import { CONTROLLER } from './pods.js';
import { endpoints, endpointSlices, pods, services } from './resources.js';
import type { Change } from './store.js';

const SERVICE_NAME = 'kubernetes.io/service-name';
const MANAGED_BY = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

export class EndpointsController {
  constructor(private readonly cluster: Cluster) {}

  /** Every Service at once (at start: seeded objects came before the controller listened). */
  syncAll(): void {
    for (const svc of this.cluster.store.list(services)) this.sync(svc);
  }

  observe(change: Change): void {
    const namespace = asString(change.object.metadata.namespace) ?? '';
    if (change.resource === services) {
      if (change.type === 'DELETED') this.remove(namespace, String(change.object.metadata.name));
      else this.sync(change.object);
    } else if (change.resource === pods) {
      for (const svc of this.cluster.store.list(services, namespace)) this.sync(svc);
    }
  }

  private remove(namespace: string, name: string): void {
    if (this.cluster.store.get(endpoints, namespace, name)) this.cluster.delete(endpoints, namespace, name, {});
  }

  private sync(svc: KubeObject): void {
    const selector = asObject(at(svc, 'spec', 'selector'));
    if (!selector || Object.keys(selector).length === 0) return;
    const namespace = String(svc.metadata.namespace);
    const name = String(svc.metadata.name);
    const selected = this.cluster.store.list(pods, namespace).filter((p) => asString(at(p, 'status', 'podIP')) && Object.entries(selector).every(([k, v]) => labelsOf(p)[k] === v));
    const live = selected.filter((p) => !p.metadata.deletionTimestamp);
    const ports = asArray(at(svc, 'spec', 'ports'));
    const address = (p: KubeObject): JsonObject => ({
      ip: String(at(p, 'status', 'podIP')),
      nodeName: asString(at(p, 'spec', 'nodeName')) ?? '',
      targetRef: { kind: 'Pod', namespace, name: String(p.metadata.name), uid: String(p.metadata.uid) },
    });
    // Endpoints keep one port list for all pods: resolved against the first pod, as one subset.
    const resolved = ports.map((port) => endpointPort(port, live[0]));
    const subset: JsonObject = {};
    const ready = live.filter(isReady).map(address);
    const notReady = live.filter((p) => !isReady(p)).map(address);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    subset.ports = resolved;
    this.write(endpoints, namespace, name, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, labels: labelsOf(svc) },
      ...(live.length > 0 ? { subsets: [subset] } : {}),
    });
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-sandbox`,
        labels: { ...labelsOf(svc), [SERVICE_NAME]: name, ...MANAGED_BY },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: selected.map((p) => ({
        addresses: [String(at(p, 'status', 'podIP'))],
        conditions: { ready: isReady(p) && !p.metadata.deletionTimestamp, serving: isReady(p), terminating: Boolean(p.metadata.deletionTimestamp) },
        nodeName: asString(at(p, 'spec', 'nodeName')) ?? '',
        targetRef: { kind: 'Pod', namespace, name: String(p.metadata.name), uid: String(p.metadata.uid) },
      })),
      ports: resolved,
    };
    this.write(endpointSlices, namespace, `${name}-sandbox`, slice);
  }

  /** Creates or replaces the object, writing only when its content changed. */
  private write(type: typeof endpoints, namespace: string, name: string, desired: KubeObject): void {
    const current = this.cluster.store.get(type, namespace, name);
    if (!current) {
      this.cluster.create(type, namespace, desired, CONTROLLER);
      return;
    }
    const same = (key: string) => deepEqual(current[key], desired[key]);
    if (['subsets', 'endpoints', 'ports', 'addressType'].every(same) && deepEqual(current.metadata.labels, desired.metadata.labels)) return;
    const next: KubeObject = { ...desired, metadata: { ...current.metadata, labels: desired.metadata.labels! } };
    this.cluster.replace(type, namespace, name, next, CONTROLLER);
  }
}

/** A Service port as its endpoints carry it: the target port, a name looked up in the pod's containers. */
function endpointPort(port: Json, pod: KubeObject | undefined): JsonObject {
  const target = at(port, 'targetPort') ?? at(port, 'port') ?? 0;
  let number = typeof target === 'number' ? target : Number(target);
  if (typeof target === 'string' && Number.isNaN(number)) {
    const named = asArray(at(pod, 'spec', 'containers'))
      .flatMap((c) => asArray(at(c, 'ports')))
      .find((p) => at(p, 'name') === target);
    number = typeof at(named, 'containerPort') === 'number' ? (at(named, 'containerPort') as number) : 0;
  }
  const out: JsonObject = { port: number, protocol: asString(at(port, 'protocol')) ?? 'TCP' };
  const name = asString(at(port, 'name'));
  if (name) out.name = name;
  return out;
}
