/** `ecp audit verify` and `ecp audit repair`: the chain, and the anchors kept in git deploy tags. */
import { annotatedTags, workTreeTop } from '../adapters/git-tag.js';
import type { Core } from '../core.js';
import { type AuditAnchor, type AuditVerdict, parseAnchor } from '../store/audit.js';

/** The audit heads anchored in the annotations of the git tags of the work tree holding the config. */
export async function gitAnchors(core: Core): Promise<AuditAnchor[]> {
  const top = await workTreeTop(core.config.baseDir);
  return (await annotatedTags(top)).flatMap((tag) => parseAnchor(`git tag ${tag.name}`, tag.message) ?? []);
}

export async function verifyAudit(core: Core, options: { againstGit?: boolean } = {}): Promise<AuditVerdict> {
  return core.audit.verify(options.againstGit ? await gitAnchors(core) : []);
}

export async function repairAudit(core: Core): Promise<{ repaired: boolean; message: string }> {
  return core.audit.repair(await core.actor());
}
