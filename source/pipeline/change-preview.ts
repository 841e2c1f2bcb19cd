/**
 * What a deploy, update or rollback would write to the manifests, before it runs: the dry run of
 * update-manifests (no registry check: the preview is the text, the run checks again), as old →
 * new tags and the unified diff. The console's confirm steps show it; nothing is written.
 */
import type { Core } from '../core.js';
import { errorMessage } from '../errors.js';
import { updateManifests } from './update-manifests.js';

export interface ChangePreview {
  /** "callbot v1.2.0 → v1.1.0", one per service that would change. */
  changes: string[];
  /** Services left as they are, with why. */
  skipped: string[];
  /** The unified diff of every file, line by line. */
  diff: string[];
}

export interface PreviewTarget {
  tenant: string;
  /** One service, else every service of the tenant. */
  service?: string;
  /** The version to write (a rollback's target); else the newest ready one. */
  versionId?: string;
}

export async function previewManifestChange(core: Core, target: PreviewTarget): Promise<ChangePreview> {
  const result = await updateManifests(core, { ...target, dryRun: true, skipRegistryCheck: true, approval: 'gated-by-caller' });
  return {
    changes: result.changes.map((c) => `${c.service} ${c.fromTag ?? c.from} → ${c.toTag}`),
    skipped: result.skipped.map((s) => `${s.service}: ${s.reason}`),
    diff: result.diffs.flatMap((d) => d.diff.trimEnd().split('\n')),
  };
}

/** The preview, or the sentence saying why there is none. */
export async function tryPreviewManifestChange(core: Core, target: PreviewTarget): Promise<ChangePreview | { error: string }> {
  try {
    return await previewManifestChange(core, target);
  } catch (error) {
    return { error: errorMessage(error) };
  }
}
