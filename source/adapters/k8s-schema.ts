/**
 * Offline Kubernetes schema checks through kubernetes-models (4.5; DEPENDENCIES.md): the model
 * class for an apiVersion/kind is imported on first use (each pulls in only its own schemas), and
 * its `validate()` errors are turned into paths and messages. Kinds the library does not know
 * (CRDs, typos) are reported as unknown, not as invalid.
 */
import type { YamlPath } from '../domain/manifest-model.js';

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion?: string;
  kind?: string;
}

export interface SchemaError {
  /** Path of the offending field (for a missing field: the field that is missing). */
  path: YamlPath;
  message: string;
}

export type SchemaVerdict = { known: false } | { known: true; errors: SchemaError[] };

const cache = new Map<string, Promise<ModelClass | undefined>>();

const GROUP = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION = /^v\d+((alpha|beta)\d+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** `kubernetes-models/<group>/<version>/<Kind>`, or undefined when the input cannot name one. */
export function modelSpecifier(apiVersion: string, kind: string): string | undefined {
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ['', ''];
  if (!VERSION.test(version) || !KIND.test(kind) || (group !== '' && !GROUP.test(group))) return undefined;
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

async function importModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const specifier = modelSpecifier(apiVersion, kind);
  if (!specifier) return undefined;
  try {
    const module = (await import(specifier)) as Record<string, unknown>;
    const model = module[kind] as ModelClass | undefined;
    // Only top-level resources carry apiVersion and kind (not Container, PodSpec, ...).
    if (typeof model !== 'function' || model.kind !== kind || model.apiVersion !== apiVersion) return undefined;
    return model;
  } catch {
    return undefined;
  }
}

export function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion} ${kind}`;
  let found = cache.get(key);
  if (!found) {
    found = importModel(apiVersion, kind);
    cache.set(key, found);
  }
  return found;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

interface AjvError {
  instancePath?: string;
  dataPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Validates one object against its kind's schema. */
export async function validateSchema(value: unknown, apiVersion: string, kind: string): Promise<SchemaVerdict> {
  const model = await modelFor(apiVersion, kind);
  if (!model) return { known: false };
  try {
    new model(value).validate();
    return { known: true, errors: [] };
  } catch (error) {
    const list = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(list)) return { known: true, errors: [{ path: [], message: (error as Error).message }] };
    const seen = new Set<string>();
    const errors: SchemaError[] = [];
    for (const e of list) {
      const path = pointerToPath(e.instancePath ?? e.dataPath ?? '');
      let message = e.message ?? 'is invalid';
      if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
        path.push(e.params.missingProperty);
        message = 'is required';
      } else if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues)) {
        message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      }
      const key = `${path.join('.')} ${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push({ path, message });
    }
    return { known: true, errors };
  }
}
