/**
 * The validation the API server answers with 422 Invalid, for the mistakes a deploy tool can
 * make: bad names, missing containers or images, a selector that does not match the template,
 * negative replicas, a changed (immutable) selector.
 */
import { asArray, asNumber, asObject, asString, at, deepEqual, labelsOf, type Json, type KubeObject } from './json.js';
import { isDns1123Label, isDns1123Subdomain, LABEL_HELP, SUBDOMAIN_HELP } from './names.js';
import type { ResourceType } from './resources.js';
import { fromSelectorObject, matchesLabels } from './selectors.js';
import { invalid, type StatusCause } from './status.js';

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });
const badValue = (field: string, value: string, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${value}: ${detail}`,
  field,
});

/** An enum field outside its values: `Unsupported value: "Bogus": supported values: "Recreate", "RollingUpdate"`. */
function checkEnum(value: Json | undefined, field: string, allowed: string[], causes: StatusCause[]): void {
  if (value === undefined || (typeof value === 'string' && allowed.includes(value))) return;
  causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, field });
}

/** Go's %#v of a map[string]string, as the API server prints label maps in messages. */
function goMap(labels: Record<string, string>): string {
  const entries = Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function checkPodSpec(spec: Json | undefined, path: string, causes: StatusCause[]): void {
  const containers = asArray(at(spec, 'containers'));
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  containers.forEach((c, i) => {
    if (!asString(at(c, 'name'))) causes.push(required(`${path}.containers[${i}].name`));
    if (!asString(at(c, 'image'))) causes.push(required(`${path}.containers[${i}].image`));
    checkEnum(at(c, 'imagePullPolicy'), `${path}.containers[${i}].imagePullPolicy`, ['Always', 'IfNotPresent', 'Never'], causes);
    asArray(at(c, 'ports')).forEach((p, j) => {
      checkEnum(at(p, 'protocol'), `${path}.containers[${i}].ports[${j}].protocol`, ['SCTP', 'TCP', 'UDP'], causes);
    });
  });
  checkEnum(at(spec, 'restartPolicy'), `${path}.restartPolicy`, ['Always', 'OnFailure', 'Never'], causes);
}

function checkWorkload(obj: KubeObject, previous: KubeObject | undefined, causes: StatusCause[]): void {
  const replicas = asNumber(at(obj, 'spec', 'replicas'));
  if (replicas !== undefined && replicas < 0) {
    causes.push(badValue('spec.replicas', String(replicas), 'must be greater than or equal to 0'));
  }
  const selector = asObject(at(obj, 'spec', 'selector'));
  const requirements = fromSelectorObject(selector);
  if (!selector) causes.push(required('spec.selector'));
  else if (requirements.length === 0) causes.push(badValue('spec.selector', '{}', 'empty selector is invalid for deployment'));
  const templateLabels = labelsOf(asObject(at(obj, 'spec', 'template')));
  if (selector && requirements.length > 0 && !matchesLabels(requirements, templateLabels)) {
    causes.push(badValue('spec.template.metadata.labels', goMap(templateLabels), '`selector` does not match template `labels`'));
  }
  if (previous && selector && !deepEqual(selector, at(previous, 'spec', 'selector'))) {
    causes.push(badValue('spec.selector', JSON.stringify(selector), 'field is immutable'));
  }
  if (obj.kind === 'Deployment') checkEnum(at(obj, 'spec', 'strategy', 'type'), 'spec.strategy.type', ['Recreate', 'RollingUpdate'], causes);
  checkPodSpec(at(obj, 'spec', 'template', 'spec'), 'spec.template.spec', causes);
}

/** Throws 422 Invalid listing every problem, or returns when the object is acceptable. */
export function validate(type: ResourceType, obj: KubeObject, previous?: KubeObject): void {
  const name = asString(obj.metadata.name) ?? '';
  const causes: StatusCause[] = [];
  if (!name) causes.push({ reason: 'FieldValueRequired', message: 'name or generateName is required', field: 'metadata.name' });
  else if (type.namespaced ? !isDns1123Subdomain(name) : !isDns1123Label(name)) {
    causes.push(badValue('metadata.name', JSON.stringify(name), type.namespaced ? SUBDOMAIN_HELP : LABEL_HELP));
  }
  if (obj.kind === 'Deployment' || obj.kind === 'ReplicaSet' || obj.kind === 'StatefulSet') checkWorkload(obj, previous, causes);
  if (obj.kind === 'StatefulSet') {
    checkEnum(at(obj, 'spec', 'updateStrategy', 'type'), 'spec.updateStrategy.type', ['OnDelete', 'RollingUpdate'], causes);
    checkEnum(at(obj, 'spec', 'podManagementPolicy'), 'spec.podManagementPolicy', ['OrderedReady', 'Parallel'], causes);
    const partition = asNumber(at(obj, 'spec', 'updateStrategy', 'rollingUpdate', 'partition'));
    if (partition !== undefined && partition < 0) causes.push(badValue('spec.updateStrategy.rollingUpdate.partition', String(partition), 'must be greater than or equal to 0'));
  }
  if (obj.kind === 'Pod') checkPodSpec(obj.spec, 'spec', causes);
  if (obj.kind === 'Service') checkEnum(at(obj, 'spec', 'type'), 'spec.type', ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], causes);
  if (causes.length > 0) throw invalid(type, name, causes);
}
