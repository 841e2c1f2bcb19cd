/** Is each version's tag still in its registry? (`ecp versions list --check-registry`, issue 4) */
import { manifestDigest } from '../adapters/registry.js';
import { parseImageRef } from '../domain/names.js';
import type { ImageVersion } from '../domain/types.js';
import { mapLimit } from './concurrency.js';

/** present: the tag is there with the recorded digest (or none was recorded); moved: the tag
 * now points at another digest; missing: the registry does not have the tag. */
export type RegistryPresence = 'present' | 'moved' | 'missing';

/**
 * Asks each version's registry (HEAD /v2/<path>/manifests/<tag>), a few at once. A registry that
 * cannot be reached is a UsageError naming it (exit 2).
 */
export async function registryPresence(versions: readonly ImageVersion[], concurrency = 8): Promise<Map<string, RegistryPresence>> {
  const presence = await mapLimit(versions, concurrency, async (v): Promise<[string, RegistryPresence]> => {
    const { registry, path, tag } = parseImageRef(v.fullImageName);
    const digest = await manifestDigest(registry, path, tag ?? v.imageTag);
    return [v.id, digest === undefined ? 'missing' : v.digest && digest && digest !== v.digest ? 'moved' : 'present'];
  });
  return new Map(presence);
}
