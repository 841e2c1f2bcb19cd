/** Is each version's tag still in its registry? (`ecp versions list --check-registry`, issue 4) */
import { manifestDigest, splitRepository } from '../adapters/registry.js';
import { parseImageRef } from '../domain/names.js';
import type { ImageVersion } from '../domain/types.js';

/** present: the tag is there with the recorded digest (or none was recorded); moved: the tag
 * now points at another digest; missing: the registry does not have the tag. */
export type RegistryPresence = 'present' | 'moved' | 'missing';

/**
 * Asks each version's registry (HEAD /v2/<name>/manifests/<tag>), a few at once. A registry that
 * cannot be reached is a UsageError naming it (exit 2).
 */
export async function registryPresence(versions: readonly ImageVersion[], concurrency = 8): Promise<Map<string, RegistryPresence>> {
  const found = new Map<string, RegistryPresence>();
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      const v = versions[next++]!;
      const { repository, tag } = parseImageRef(v.fullImageName);
      const { registry, name } = splitRepository(repository);
      const digest = await manifestDigest(registry, name, tag ?? v.imageTag);
      found.set(v.id, digest === undefined ? 'missing' : v.digest && digest && digest !== v.digest ? 'moved' : 'present');
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, versions.length) }, worker));
  return found;
}
