/**
 * `y`: a live object as `kubectl get -o yaml` shows it — without the managed fields — as lines.
 * A module of its own, loaded when first used: `yaml` imported statically here, for a dynamic
 * `import('yaml')` in the bundle resolved to its CommonJS build, which has no named exports.
 */
import { stringify } from 'yaml';

/** `kind`: the workload's kind, for an object read from a list (its items carry no apiVersion and kind). */
export function liveYamlLines(object: { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> }, kind: string): string[] {
  const { managedFields: _managed, ...metadata } = object.metadata ?? {};
  return stringify({ apiVersion: object.apiVersion ?? 'apps/v1', kind: object.kind ?? kind, ...object, metadata })
    .trimEnd()
    .split('\n');
}
