/** Manifest vs live as lines to read: each changed field with its live value, its owners and the manifest's, then the diff. */
import type { LiveDiff } from '../../pipeline/live-diff.js';

export function liveDiffLines(diff: LiveDiff): string[] {
  if (!diff.live) return [`${diff.object} is not in the cluster: an apply would create it.`, '', ...diff.diff];
  if (diff.changed.length === 0) return [`${diff.object} matches its manifest: an apply would change nothing.`];
  return [
    `${diff.object}: ${diff.changed.length === 1 ? '1 field differs' : `${diff.changed.length} fields differ`} from the manifest`,
    ...diff.changed.flatMap((c) => [`  ${c.path}`, `    live      ${c.live}${c.managers.length ? `   (set by ${c.managers.join(', ')})` : ''}`, `    manifest  ${c.manifest}`]),
    '',
    ...diff.diff,
  ];
}
