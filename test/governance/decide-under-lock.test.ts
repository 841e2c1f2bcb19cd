/**
 * `ecp approve` / `reject` (and the console's approvals view) decide under the store's lock: two
 * approvers deciding the same approval at once cannot both succeed, and the one who comes second
 * is told what happened. No engine, registry or cluster.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../source/config.js';
import { createCore, type Core } from '../../source/core.js';
import type { Approval } from '../../source/domain/types.js';
import { decideApproval } from '../../source/pipeline/approval-decision.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

function approverCores(): { as: (actor: string) => Core; core: Core } {
  const repo = gitRepo();
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${tempDir()}\napprovers: [lead@example.test, second@example.test]\n`);
  const core = createCore(loadConfig({ cwd: repo, env: {} }));
  return { core, as: (actor) => ({ ...core, actor: async () => actor }) };
}

const pending = (id: string): Approval => ({
  id,
  action: 'deploy',
  tenantId: 'acme-prod',
  namespace: 'acme-prod',
  images: { callbot: 'localhost:5000/ecp-ai/callbot:v2' },
  requestedBy: 'operator@example.test',
  requestedAt: new Date().toISOString(),
  status: 'pending',
});

describe('deciding an approval', () => {
  it('lets exactly one of two approvers deciding at once through; the other is told it was decided', async () => {
    const { core, as } = approverCores();
    await core.store.update((data) => {
      data.approvals.push(pending('apr-1'), pending('apr-2'));
    });
    for (const id of ['apr-1', 'apr-2']) {
      const outcomes = await Promise.allSettled([decideApproval(as('lead@example.test'), id, 'approved'), decideApproval(as('second@example.test'), id, 'rejected', 'not now')]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(new RegExp(`Approval ${id} was already (approved|rejected) by (lead|second)@example.test`));
    }
    const decided = (await core.store.read()).approvals;
    expect(decided.every((a) => a.status !== 'pending' && a.decidedBy !== undefined)).toBe(true);
    const events = (await core.audit.list()).filter((e) => e.action.startsWith('approval.'));
    expect(events).toHaveLength(2);
  });

  it('refuses an approval requested by the approver themselves', async () => {
    const { core, as } = approverCores();
    await core.store.update((data) => {
      data.approvals.push({ ...pending('apr-3'), requestedBy: 'lead@example.test' });
    });
    await expect(decideApproval(as('lead@example.test'), 'apr-3', 'approved')).rejects.toThrow('lead@example.test requested approval apr-3 and cannot approve or reject it; another approver must.');
  });
});
