/**
 * A pod template's identity: the hash that names a Deployment's ReplicaSets
 * (`<deployment>-<hash>`, label pod-template-hash) and the comparison that ignores that label.
 */
import { asObject, at, clone, isObject, type Json } from './json.js';

export const HASH_LABEL = 'pod-template-hash';

/** FNV-1a (32 bit) of a canonical JSON text, spelled with the API server's safe alphabet. */
export function templateHash(template: Json): string {
  const text = canonical(template);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(hash)].map((ch) => alphabet[ch.charCodeAt(0) % alphabet.length]).join('');
}

export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The template without the hash label, for comparing a ReplicaSet with its Deployment. */
export function bareTemplate(template: Json | undefined): Json {
  const copy = clone(asObject(template) ?? {});
  const labels = asObject(at(copy, 'metadata', 'labels'));
  if (labels) delete labels[HASH_LABEL];
  return copy;
}
