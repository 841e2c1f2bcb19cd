/**
 * Version records (DESIGN §5): the one place that registers a version, changes its status and
 * marks it failed. `ecp versions`, the build pipeline, deploy, rollback and the monitor all
 * write versions through these functions, so each change is checked and audited the same way.
 */
import { readFile } from 'node:fs/promises';
import type { Core } from '../core.js';
import { applyStatusChange, newVersion, type RegisterInput, type StatusChange } from '../domain/versions.js';
import type { DeploymentRecord, ImageVersion, VersionFailure } from '../domain/types.js';
import { UsageError } from '../errors.js';
import { assertMayChange } from './policy.js';

/** The image is registered already (by someone else, or earlier). */
export class VersionExistsError extends UsageError {}

/** The text of a version body file (`ecp versions register --file`); one sentence when it cannot be read. */
export async function readVersionBodyFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`Version body file ${file} cannot be read.`);
  }
}

/** Each input's outcome, in order: its new version, or why it was not registered. */
export type RegisterOutcome = { version: ImageVersion } | { refused: VersionExistsError };

/**
 * Registers new versions (each unique by full image name, hot or archived) in one store write
 * whose audit events (`version.register`, with `details` added) are part of the same write
 * unit: a record and its event land together or not at all. Several at once is `ecp serve`'s
 * group commit: registrations that arrive together cost one lock round.
 */
export async function registerVersions(core: Core, inputs: readonly RegisterInput[], details: Record<string, unknown> = {}): Promise<RegisterOutcome[]> {
  const actor = await assertMayChange(core, 'versions register');
  return core.store.update(async (data, unit) => {
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
      unit.audit({ actor, action: 'version.register', target: created.id, details: { image: created.fullImageName, ...details } });
      result.push({ version: created });
    }
    return result;
  });
}

/** Registers one new version; VersionExistsError when its image is registered already. */
export async function registerVersion(core: Core, input: RegisterInput, details: Record<string, unknown> = {}): Promise<ImageVersion> {
  const [outcome] = await registerVersions(core, [input], details);
  if ('refused' in outcome!) throw outcome.refused;
  return outcome!.version;
}

/** Changes status / scan / count of a hot version (an archived one no longer changes), audited. */
export async function changeVersionStatus(core: Core, id: string, change: StatusChange): Promise<{ before: ImageVersion; after: ImageVersion }> {
  const actor = await assertMayChange(core, 'versions status');
  return core.store.update(async (data, unit) => {
    const index = data.versions.findIndex((v) => v.id === id);
    if (index < 0) {
      const archived = await core.store.findVersion(id);
      throw new UsageError(archived ? `Version ${id} is archived and can no longer change.` : `No version has the id "${id}".`);
    }
    const before = data.versions[index]!;
    const after = applyStatusChange(before, change, new Date());
    data.versions[index] = after;
    unit.audit({ actor, action: 'version.status', target: id, details: { from: { status: before.status, scan: before.securityScanResult }, to: change } });
    return { before, after };
  });
}

/**
 * Marks the version of `image` failed, with where and why (a rollout that failed, a rollback
 * away from it): update-manifests, deploy and a rollback's default never choose it again.
 * Returns the version's id, or undefined when the image is not registered (or already failed).
 */
export async function markVersionFailed(core: Core, image: string, failure: Omit<VersionFailure, 'at'>): Promise<string | undefined> {
  const actor = await core.actor();
  const at = new Date().toISOString();
  return core.store.update((data, unit) => {
    const version = data.versions.find((v) => v.fullImageName === image);
    if (!version || version.status === 'failed') return undefined;
    version.status = 'failed';
    version.failure = { at, ...failure };
    version.updatedAt = at;
    unit.audit({ actor, action: 'version.failed', target: version.id, details: { image, ...failure } });
    return version.id;
  });
}

/** A failed version chosen by name (--tag, --version, --to): allowed, said and audited. */
export async function auditFailedChoice(core: Core, version: ImageVersion, where: string, reason: string | undefined): Promise<void> {
  await core.audit.append({
    actor: await core.actor(),
    action: 'version.failed-chosen',
    target: version.id,
    details: { image: version.fullImageName, where, failure: version.failure ?? null, reason: reason ?? null },
  });
}

/** The rollout of `record` failed: its image's version is failed there, for that reason. */
export function markRolloutFailed(core: Core, record: DeploymentRecord): Promise<string | undefined> {
  return markVersionFailed(core, record.toImage, {
    tenantId: record.tenantId,
    namespace: record.namespace,
    cause: 'rollout-failed',
    reason: record.message ?? 'the rollout failed',
    recordId: record.id,
  });
}
