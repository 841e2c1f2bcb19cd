/**
 * `GET …/pods/<name>/log` (`kubectl logs`): the sandbox runs no processes, so a running container's
 * log is one line saying what runs; a container that is not running gets the kubelet's 400 texts.
 */
import { asArray, asString, at, type KubeObject } from './json.js';
import { badRequest } from './status.js';

/** The container a log request is about (`container`, or the pod's only one), as the kubelet refuses a wrong one. */
export function chooseContainer(pod: KubeObject, container: string | null): string {
  const name = String(pod.metadata.name);
  const containers = asArray(at(pod, 'spec', 'containers')).map((c) => String(at(c, 'name')));
  if (!container && containers.length > 1) {
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  }
  const chosen = container ?? containers[0]!;
  if (!containers.includes(chosen)) throw badRequest(`container ${chosen} is not valid for pod ${name}`);
  return chosen;
}

export function podLog(pod: KubeObject, container: string | null): string {
  const name = String(pod.metadata.name);
  const chosen = chooseContainer(pod, container);
  const status = asArray(at(pod, 'status', 'containerStatuses')).find((s) => at(s, 'name') === chosen);
  const waiting = asString(at(status, 'state', 'waiting', 'reason'));
  const started = asString(at(status, 'state', 'running', 'startedAt'));
  if (!started) {
    const why = waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff' ? 'trying and failing to pull image' : (waiting ?? 'ContainerCreating');
    throw badRequest(`container "${chosen}" in pod "${name}" is waiting to start: ${why}`);
  }
  return `ecp sandbox: ${String(at(status, 'image'))} running as ${name}/${chosen} (the sandbox runs no processes)\n`;
}
