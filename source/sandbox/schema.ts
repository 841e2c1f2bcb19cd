/**
 * The little schema knowledge patches and server-side apply need: which lists are maps keyed by
 * a field (containers by name, ports by containerPort, ...), as the Kubernetes types declare with
 * patchMergeKey / listMapKeys. Lists not named here are atomic (replaced whole).
 */
import { isObject, type Json } from './json.js';

const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  ownerReferences: 'uid',
};

/** The merge key of a list field, or undefined for an atomic list. */
export function mergeKey(field: string, items: readonly Json[]): string | undefined {
  if (field === 'ports') {
    // Container ports are keyed by containerPort; Service ports by port.
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

/** Lists of strings merged as sets (patchStrategy merge on a primitive list). */
export const SET_LISTS: ReadonlySet<string> = new Set(['finalizers']);
