/**
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: the server-side printing kubectl asks
 * for. Columns, cells and ages follow the API server's own printers, so `kubectl get` output is
 * what a real cluster shows (KUBE-API-NOTES §2).
 */
import { asArray, asNumber, asObject, asString, at, type Json, type JsonObject, type KubeObject } from './json.js';
import { leaseCells } from './leases.js';
import { formatSelector, fromSelectorObject } from './selectors.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: 'name';
  priority: number;
  description: string;
}

const col = (name: string, type: Column['type'], description: string, priority = 0): Column => ({ name, type, priority, description });
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0, description: 'Name must be unique within a namespace.' };
const AGE = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');
const WORKLOAD_WIDE = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
  col('Selector', 'string', 'Label selector for pods.', 1),
];

/** Kubernetes' HumanDuration: `45s`, `3m20s`, `25m`, `5h10m`, `3d4h`, `400d`, `2y30d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function age(obj: KubeObject, now: number): string {
  const created = Date.parse(asString(obj.metadata.creationTimestamp) ?? '');
  return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
}

function templateCells(obj: KubeObject): Json[] {
  const containers = asArray(at(obj, 'spec', 'template', 'spec', 'containers'));
  return [
    containers.map((c) => asString(at(c, 'name')) ?? '').join(','),
    containers.map((c) => asString(at(c, 'image')) ?? '').join(','),
    formatSelector(fromSelectorObject(asObject(at(obj, 'spec', 'selector')))),
  ];
}

const int = (value: Json | undefined): number => asNumber(value) ?? 0;

/** The STATUS column of `kubectl get pods`: the phase, or the reason a container is stuck. */
function podStatus(pod: KubeObject): string {
  let reason = asString(at(pod, 'status', 'reason')) ?? asString(at(pod, 'status', 'phase')) ?? 'Pending';
  for (const cs of asArray(at(pod, 'status', 'containerStatuses'))) {
    const waiting = asString(at(cs, 'state', 'waiting', 'reason'));
    const terminated = asString(at(cs, 'state', 'terminated', 'reason'));
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated;
  }
  return pod.metadata.deletionTimestamp ? 'Terminating' : reason;
}

/** The printers' endpoint lists: at most three, then how many more. */
function endpointList(items: string[]): string {
  if (items.length === 0) return '<none>';
  return items.length > 3 ? `${items.slice(0, 3).join(',')} + ${items.length - 3} more...` : items.join(',');
}

/** EXTERNAL-IP: a LoadBalancer's ingress (`<pending>` until it has one), an ExternalName, or external IPs. */
function externalIp(svc: KubeObject): string {
  const type = asString(at(svc, 'spec', 'type'));
  const externalIps = asArray(at(svc, 'spec', 'externalIPs')).map(String);
  if (type === 'ExternalName') return asString(at(svc, 'spec', 'externalName')) ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress = asArray(at(svc, 'status', 'loadBalancer', 'ingress')).map((i) => asString(at(i, 'ip')) ?? asString(at(i, 'hostname')) ?? '');
    const all = [...ingress, ...externalIps].filter(Boolean);
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return externalIps.length > 0 ? externalIps.join(',') : '<none>';
}

interface Printer {
  columns: Column[];
  cells(obj: KubeObject, now: number): Json[];
}

const printers: Record<string, Printer> = {
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      AGE,
      ...WORKLOAD_WIDE,
    ],
    cells: (d, now) => [
      d.metadata.name!,
      `${int(at(d, 'status', 'readyReplicas'))}/${int(at(d, 'spec', 'replicas'))}`,
      int(at(d, 'status', 'updatedReplicas')),
      int(at(d, 'status', 'availableReplicas')),
      age(d, now),
      ...templateCells(d),
    ],
  },
  ReplicaSet: {
    columns: [
      NAME,
      col('Desired', 'integer', 'Number of desired pods.'),
      col('Current', 'integer', 'Number of actual replicas.'),
      col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      AGE,
      ...WORKLOAD_WIDE,
    ],
    cells: (rs, now) => [rs.metadata.name!, int(at(rs, 'spec', 'replicas')), int(at(rs, 'status', 'replicas')), int(at(rs, 'status', 'readyReplicas')), age(rs, now), ...templateCells(rs)],
  },
  StatefulSet: {
    columns: [NAME, col('Ready', 'string', 'Number of the pod with ready state'), AGE, ...WORKLOAD_WIDE.slice(0, 2)],
    cells: (sts, now) => [sts.metadata.name!, `${int(at(sts, 'status', 'readyReplicas'))}/${int(at(sts, 'spec', 'replicas'))}`, age(sts, now), ...templateCells(sts).slice(0, 2)],
  },
  ControllerRevision: {
    columns: [NAME, col('Controller', 'string', 'Controller of the object'), col('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'), AGE],
    cells: (rev, now) => {
      const owner = asArray(rev.metadata.ownerReferences).find((r) => at(r, 'controller') === true);
      const group = (asString(at(owner, 'apiVersion')) ?? '').split('/');
      const controller = owner ? `${String(at(owner, 'kind')).toLowerCase()}${group.length > 1 ? `.${group[0]}` : ''}/${String(at(owner, 'name'))}` : '<none>';
      return [rev.metadata.name!, controller, int(at(rev, 'revision')), age(rev, now)];
    },
  },
  Pod: {
    columns: [
      NAME,
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      col('IP', 'string', 'The IP address assigned to the pod', 1),
      col('Node', 'string', 'The name of the node assigned to the pod', 1),
      col('Nominated Node', 'string', 'The name of the node nominated by the scheduler', 1),
      col('Readiness Gates', 'string', 'The readiness gates of the pod', 1),
    ],
    cells: (pod, now) => {
      const statuses = asArray(at(pod, 'status', 'containerStatuses'));
      const total = asArray(at(pod, 'spec', 'containers')).length;
      const ready = statuses.filter((s) => at(s, 'ready') === true).length;
      const restarts = statuses.reduce<number>((n, s) => n + int(at(s, 'restartCount')), 0);
      return [
        pod.metadata.name!,
        `${ready}/${total}`,
        podStatus(pod),
        String(restarts),
        age(pod, now),
        asString(at(pod, 'status', 'podIP')) ?? '<none>',
        asString(at(pod, 'spec', 'nodeName')) ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  Service: {
    columns: [
      NAME,
      col('Type', 'string', 'The type of the service.'),
      col('Cluster-IP', 'string', 'The IP address of the service.'),
      col('External-IP', 'string', 'The external IP of the service.'),
      col('Port(s)', 'string', 'The ports of the service.'),
      AGE,
      col('Selector', 'string', 'The label selector of the service.', 1),
    ],
    cells: (svc, now) => [
      svc.metadata.name!,
      asString(at(svc, 'spec', 'type')) ?? 'ClusterIP',
      asString(at(svc, 'spec', 'clusterIP')) ?? '<none>',
      externalIp(svc),
      asArray(at(svc, 'spec', 'ports'))
        .map((p) => `${int(at(p, 'port'))}${at(p, 'nodePort') ? `:${int(at(p, 'nodePort'))}` : ''}/${asString(at(p, 'protocol')) ?? 'TCP'}`)
        .join(',') || '<none>',
      age(svc, now),
      Object.entries(asObject(at(svc, 'spec', 'selector')) ?? {})
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || '<none>',
    ],
  },
  Endpoints: {
    columns: [NAME, col('Endpoints', 'string', 'Endpoints of the service'), AGE],
    cells: (ep, now) => {
      const list = asArray(at(ep, 'subsets')).flatMap((s) => asArray(at(s, 'addresses')).flatMap((a) => asArray(at(s, 'ports')).map((p) => `${String(at(a, 'ip'))}:${int(at(p, 'port'))}`)));
      return [ep.metadata.name!, endpointList(list), age(ep, now)];
    },
  },
  EndpointSlice: {
    columns: [
      NAME,
      col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
      col('Ports', 'string', 'Ports of the slice'),
      col('Endpoints', 'string', 'Endpoints of the slice'),
      AGE,
    ],
    cells: (slice, now) => {
      const ports = asArray(at(slice, 'ports')).map((p) => String(int(at(p, 'port'))));
      const addresses = asArray(at(slice, 'endpoints')).flatMap((e) => asArray(at(e, 'addresses')).map(String));
      return [slice.metadata.name!, asString(at(slice, 'addressType')) ?? 'IPv4', ports.join(',') || '<unset>', endpointList(addresses), age(slice, now)];
    },
  },
  Lease: { columns: [NAME, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE], cells: (lease, now) => leaseCells(lease, age(lease, now)) },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer', 'Number of entries.'), AGE],
    cells: (cm, now) => [cm.metadata.name!, Object.keys(asObject(at(cm, 'data')) ?? {}).length + Object.keys(asObject(at(cm, 'binaryData')) ?? {}).length, age(cm, now)],
  },
  Secret: {
    columns: [NAME, col('Type', 'string', 'The type of the secret.'), col('Data', 'integer', 'Number of entries.'), AGE],
    cells: (secret, now) => [secret.metadata.name!, asString(at(secret, 'type')) ?? 'Opaque', Object.keys(asObject(at(secret, 'data')) ?? {}).length, age(secret, now)],
  },
  ServiceAccount: {
    columns: [NAME, col('Secrets', 'integer', 'Number of secrets.'), AGE],
    cells: (sa, now) => [sa.metadata.name!, asArray(at(sa, 'secrets')).length, age(sa, now)],
  },
  Event: {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      col('Object', 'string', 'The object that this event is about.'),
      col('Subobject', 'string', 'The field of the object this event is about.', 1),
      col('Source', 'string', 'The component reporting this event.', 1),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
      col('Count', 'string', 'The number of times this event has occurred.', 1),
      { ...col('Name', 'string', 'Name must be unique within a namespace.', 1), format: 'name' },
    ],
    cells: (ev, now) => {
      const since = (field: string) => {
        const t = Date.parse(asString(at(ev, field)) ?? '');
        return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
      };
      const kind = (asString(at(ev, 'involvedObject', 'kind')) ?? '').toLowerCase();
      const target = asString(at(ev, 'involvedObject', 'name'));
      const host = asString(at(ev, 'source', 'host'));
      return [
        since('lastTimestamp'),
        asString(at(ev, 'type')) ?? '',
        asString(at(ev, 'reason')) ?? '',
        target ? `${kind}/${target}` : kind,
        asString(at(ev, 'involvedObject', 'fieldPath')) ?? '',
        `${asString(at(ev, 'source', 'component')) ?? ''}${host ? `, ${host}` : ''}`,
        (asString(at(ev, 'message')) ?? '').trim(),
        since('firstTimestamp'),
        int(at(ev, 'count')) || 1,
        ev.metadata.name!,
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
    cells: (ns, now) => [ns.metadata.name!, asString(at(ns, 'status', 'phase')) ?? 'Active', age(ns, now)],
  },
};

/** Row objects are PartialObjectMetadata (metadata without managedFields), as the default includeObject=Metadata gives. */
function partial(obj: KubeObject): JsonObject {
  const { managedFields: _, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

export function toTable(kind: string, objects: KubeObject[], now: number, resourceVersion?: string, includeColumns = true): JsonObject {
  const printer = printers[kind]!;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: includeColumns ? printer.columns.map((c) => ({ ...c })) : null,
    rows: objects.map((obj) => ({ cells: printer.cells(obj, now), object: partial(obj) })),
  };
}

/** Whether an Accept header asks for a Table (kubectl lists `as=Table` first, then plain JSON). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
