/**
 * Server-side defaulting, as the API server does on every write: what `kubectl get -o yaml`
 * shows on a real cluster (replicas 1, RollingUpdate 25%/25%, progressDeadlineSeconds 600, the
 * pod spec defaults), and what the rollout simulator relies on.
 */
import { asArray, asObject, isObject, type Json, type JsonObject, type KubeObject } from './json.js';
import { imageTag } from './names.js';

function setDefault(obj: JsonObject, key: string, value: Json): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function child(obj: JsonObject, key: string): JsonObject {
  const existing = asObject(obj[key]);
  if (existing) return existing;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

function defaultContainer(container: Json): void {
  if (!isObject(container)) return;
  setDefault(container, 'resources', {});
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'imagePullPolicy', imageTag(typeof container.image === 'string' ? container.image : '') === 'latest' ? 'Always' : 'IfNotPresent');
  for (const port of asArray(container.ports)) if (isObject(port)) setDefault(port, 'protocol', 'TCP');
}

function defaultPodSpec(spec: JsonObject): void {
  for (const c of asArray(spec.containers)) defaultContainer(c);
  for (const c of asArray(spec.initContainers)) defaultContainer(c);
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
}

/**
 * An embedded ObjectMeta's empty creationTimestamp: Go encodes a zero metav1.Time as null
 * (omitempty does not drop a struct), so a real server prints `creationTimestamp: null` there.
 */
function zeroCreationTimestamp(metadata: JsonObject): void {
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
}

function defaultTemplate(spec: JsonObject): void {
  const template = child(spec, 'template');
  zeroCreationTimestamp(child(template, 'metadata'));
  defaultPodSpec(child(template, 'spec'));
}

function hashOf(key: string): number {
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash;
}

function clusterIpFor(key: string): string {
  const hash = hashOf(key);
  return `10.96.${(hash >>> 8) & 255}.${(hash & 253) + 1}`;
}

/** A node port from the default range 30000-32767, stable per Service and port. */
function nodePortFor(key: string): number {
  return 30000 + (hashOf(key) % 2768);
}

/** Fills in defaults in place (the object is a fresh copy owned by the caller). */
export function applyDefaults(obj: KubeObject): void {
  switch (obj.kind) {
    case 'Deployment': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'replicas', 1);
      const strategy = child(spec, 'strategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const rolling = child(strategy, 'rollingUpdate');
        setDefault(rolling, 'maxUnavailable', '25%');
        setDefault(rolling, 'maxSurge', '25%');
      }
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      defaultTemplate(spec);
      break;
    }
    case 'StatefulSet': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      const strategy = child(spec, 'updateStrategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') setDefault(child(strategy, 'rollingUpdate'), 'partition', 0);
      setDefault(spec, 'revisionHistoryLimit', 10);
      const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
      setDefault(retention, 'whenDeleted', 'Retain');
      setDefault(retention, 'whenScaled', 'Retain');
      for (const claim of asArray(spec.volumeClaimTemplates)) if (isObject(claim)) zeroCreationTimestamp(child(claim, 'metadata'));
      defaultTemplate(spec);
      break;
    }
    case 'ReplicaSet': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    }
    case 'Pod':
      defaultPodSpec(child(obj, 'spec'));
      setDefault(child(obj, 'status'), 'phase', 'Pending');
      break;
    case 'Service': {
      const spec = child(obj, 'spec');
      const key = `${String(obj.metadata.namespace)}/${String(obj.metadata.name)}`;
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      if (spec.type !== 'ExternalName') {
        // A stable made-up cluster IP per name, as the allocator would give one.
        setDefault(spec, 'clusterIP', clusterIpFor(key));
        setDefault(spec, 'clusterIPs', [spec.clusterIP!]);
        setDefault(spec, 'ipFamilies', ['IPv4']);
        setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
        setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      }
      const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
      if (external) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
      if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
      for (const port of asArray(spec.ports)) {
        if (!isObject(port)) continue;
        setDefault(port, 'protocol', 'TCP');
        setDefault(port, 'targetPort', port.port ?? null);
        if (external) setDefault(port, 'nodePort', nodePortFor(`${key}/${String(port.port)}`));
      }
      setDefault(child(obj, 'status'), 'loadBalancer', {});
      break;
    }
    case 'Secret':
      setDefault(obj, 'type', 'Opaque');
      break;
    case 'Namespace': {
      const name = obj.metadata.name;
      if (typeof name === 'string') child(obj.metadata, 'labels')['kubernetes.io/metadata.name'] = name;
      setDefault(child(obj, 'spec'), 'finalizers', ['kubernetes']);
      setDefault(child(obj, 'status'), 'phase', 'Active');
      break;
    }
  }
}
