/**
 * A pod template's identity: the hash that names a Deployment's ReplicaSets
 * (`<deployment>-<hash>`, label pod-template-hash) and the comparison that ignores that label.
 */
import { asObject, canonical, clone, type Json } from './json.js';

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

/**
 * The template without the hash label (for comparing a ReplicaSet with its Deployment) and
 * without the null creationTimestamp, which the Go struct the real hash is taken of cannot tell
 * from an absent one.
 */
export function bareTemplate(template: Json | undefined): Json {
  const copy = clone(asObject(template) ?? {});
  const metadata = asObject(copy.metadata);
  const labels = asObject(metadata?.labels);
  if (labels) delete labels[HASH_LABEL];
  if (metadata?.creationTimestamp === null) delete metadata.creationTimestamp;
  return copy;
}
