/**
 * `ecp store migrate` and `ecp store status` (issue 16): moving a history between the file store
 * and the team store with its ids and its audit chain intact, and saying where the store is.
 *
 * A migration copies only what the target lacks, so a second run copies nothing and a run cut
 * short is finished by the next. It refuses (exit 2, nothing written) when the target holds
 * anything the source does not: a record of another id or content, or an audit trail that is not
 * the start of the source's — that is a different history, and merging two is not a copy.
 */
import type { StoreBackendName } from '../config.js';
import type { Core } from '../core.js';
import type { Approval, DeploymentRecord, ImageVersion } from '../domain/types.js';
import { UsageError } from '../errors.js';
import type { StoreBackend, StoreHistory } from '../store/backend.js';
import { loadStoreBackend, openStore } from '../store/open.js';
import { assertMayChange } from './policy.js';

export interface MigrationResult {
  from: string;
  to: string;
  copied: { versions: number; deployments: number; approvals: number; auditEvents: number };
  /** The target's audit verdict after the copy. */
  verified: string;
}

type HistoryRecord = ImageVersion | DeploymentRecord | Approval;

/** The records of `source` the target lacks; throws when the target holds one the source does not. */
function missingRecords<T extends HistoryRecord>(what: string, source: readonly T[], target: readonly T[], where: string): T[] {
  const wanted = new Map(source.map((r) => [r.id, JSON.stringify(r)]));
  for (const r of target) {
    const text = wanted.get(r.id);
    if (text === undefined) throw new UsageError(`The target store (${where}) holds a different history: ${what} ${r.id} is not in the source; nothing was copied.`);
    if (text !== JSON.stringify(r)) throw new UsageError(`The target store (${where}) holds a different history: ${what} ${r.id} differs from the source's; nothing was copied.`);
  }
  const have = new Set(target.map((r) => r.id));
  return source.filter((r) => !have.has(r.id));
}

export async function migrateStore(core: Core, to: StoreBackendName): Promise<MigrationResult> {
  await assertMayChange(core, 'store migrate');
  if (to === core.config.store.backend) throw new UsageError(`The store backend is ${to} already (ECP_STORE or store.backend); migrate --to the other one (file or kubernetes).`);
  const source = core.store;
  await loadStoreBackend(to);
  const target: StoreBackend = openStore(core.config, to);
  const verdict = await source.audit.verify();
  if (!verdict.ok) throw new UsageError(`The source's audit trail does not verify (${verdict.message}); nothing was copied.`);
  const [from, into] = await Promise.all([source.history(), target.history()]);
  for (const [i, line] of into.auditLines.entries()) {
    if (from.auditLines[i] !== line) throw new UsageError(`The target store (${target.where}) holds a different history: its audit event ${i + 1} is not the source's; nothing was copied.`);
  }
  const part: StoreHistory = {
    versions: missingRecords('version', from.versions, into.versions, target.where),
    deployments: missingRecords('deployment record', from.deployments, into.deployments, target.where),
    approvals: missingRecords('approval', from.approvals, into.approvals, target.where),
    auditLines: from.auditLines.slice(into.auditLines.length),
  };
  const copied = { versions: part.versions.length, deployments: part.deployments.length, approvals: part.approvals.length, auditEvents: part.auditLines.length };
  if (Object.values(copied).some((n) => n > 0)) await target.importHistory(part);
  const after = await target.audit.verify();
  return { from: source.where, to: target.where, copied, verified: after.message };
}

export interface StoreStatus {
  backend: StoreBackendName;
  where: string;
  versions: { hot: number; archived: number };
  deployments: { hot: number; archived: number };
  approvals: number;
  audit: { count: number; hash: string };
}

export async function storeStatus(core: Core): Promise<StoreStatus> {
  const [data, history, head] = await Promise.all([core.store.read(), core.store.history(), core.audit.head()]);
  return {
    backend: core.config.store.backend,
    where: core.store.where,
    versions: { hot: data.versions.length, archived: history.versions.length - data.versions.length },
    deployments: { hot: data.deployments.length, archived: history.deployments.length - data.deployments.length },
    approvals: data.approvals.length,
    audit: { count: head.count, hash: head.hash },
  };
}
