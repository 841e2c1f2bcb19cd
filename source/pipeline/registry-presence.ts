/** Is each version's tag still in its registry? (`ecp versions list --check-registry`, issue 4) */
import { manifestDigest, RegistryUnansweredError } from '../adapters/registry.js';
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

/**
 * What the registry says about one image, before a rollback is confirmed (the console's confirm
 * step, issue 15): there; missing (404 — the rollback is refused unless the operator overrides
 * it); unanswered (the rollback goes on with a warning); or refused (access, a bad name: the
 * rollback will be refused), each with the registry's words.
 */
export type RegistryAnswer = { state: 'present' | 'missing' } | { state: 'unanswered' | 'refused'; message: string };

export async function registryAnswer(image: string): Promise<RegistryAnswer> {
  const { registry, path, tag } = parseImageRef(image);
  try {
    return { state: (await manifestDigest(registry, path, tag ?? 'latest')) === undefined ? 'missing' : 'present' };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    return { state: error instanceof RegistryUnansweredError ? 'unanswered' : 'refused', message };
  }
}
