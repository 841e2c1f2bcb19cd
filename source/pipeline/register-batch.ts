/**
 * Registering several versions in one store write and one audit append (group commit): what
 * `ecp serve` does with registrations that arrive while a write is running, so ten CI jobs at
 * once cost one lock round rather than ten. The rules are `registerVersion`'s (unique by full
 * image name, hot or archived; audited as `version.register`); `registerVersion` should become
 * `registerVersions([input])` (noted for the pipeline's owner).
 */
import type { Core } from '../core.js';
import type { ImageVersion } from '../domain/types.js';
import { newVersion, type RegisterInput } from '../domain/versions.js';
import { assertMayChange } from './policy.js';
import { VersionExistsError } from './versions.js';

/** Each input's outcome, in order: its new version, or why it was not registered. */
export type RegisterOutcome = { version: ImageVersion } | { refused: VersionExistsError };

export async function registerVersions(core: Core, inputs: readonly RegisterInput[]): Promise<RegisterOutcome[]> {
  const actor = await assertMayChange(core, 'versions register');
  const outcomes = await core.store.update(async (data) => {
    const ids = new Set(data.versions.map((v) => v.id));
    const images = new Set(data.versions.map((v) => v.fullImageName));
    const result: RegisterOutcome[] = [];
    for (const input of inputs) {
      if (images.has(input.fullImageName) || (await core.store.isImageArchived(input.fullImageName))) {
        result.push({ refused: new VersionExistsError(`Image ${input.fullImageName} is already registered.`) });
        continue;
      }
      const created = newVersion(input, new Date(), ids, actor);
      ids.add(created.id);
      images.add(created.fullImageName);
      data.versions.push(created);
      result.push({ version: created });
    }
    return result;
  });
  const registered = outcomes.flatMap((o) => ('version' in o ? [o.version] : []));
  await core.audit.appendMany(registered.map((v) => ({ actor, action: 'version.register', target: v.id, details: { image: v.fullImageName } })));
  return outcomes;
}
