/**
 * `ecp store migrate` both ways (issue 16) with 1 000 versions and 200 audit events: ids, records
 * and the audit chain arrive intact, a second run copies nothing, and a target holding a
 * different history is refused with nothing written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { newVersion } from '../../source/domain/versions.js';
import type { StoreHistory } from '../../source/store/backend.js';
import { Store } from '../../source/store/store.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { runEcp } from '../helpers/run-ecp.js';
import { openTeamStore, sharedTarget, storeNamespace } from '../helpers/team-store.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

const SERVICES = ['callbot', 'chatbot', 'advisor', 'ranker'];

/** 1 000 versions over four services, 60 closed deployment records, 2 approvals, 200 audit events. */
async function fileHistory(dataDir: string): Promise<void> {
  const store = new Store(dataDir);
  const start = Date.parse('2026-11-01T00:00:00Z');
  for (let batch = 0; batch < 200; batch++) {
    await store.update((data, unit) => {
      for (let i = 0; i < 5; i++) {
        const n = batch * 5 + i;
        const service = SERVICES[n % SERVICES.length]!;
        const tag = `v${n}`;
        const input = { serviceName: service, imageName: service, imageTag: tag, fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' };
        data.versions.push(newVersion(input, new Date(start + n * 60_000), new Set(data.versions.map((v) => v.id)), 'ci@example.com'));
      }
      if (batch < 60) {
        const at = new Date(start + batch * 60_000).toISOString();
        data.deployments.push({
          id: `dep-${batch}`,
          tenantId: 'acme',
          namespace: 'acme',
          serviceName: 'callbot',
          toImage: `localhost:5000/ecp-ai/callbot:v${batch}`,
          kind: 'deploy',
          status: 'succeeded',
          actor: 'ops@example.com',
          startedAt: at,
          finishedAt: at,
        });
      }
      if (batch < 2)
        data.approvals.push({
          id: `appr-${batch}`,
          action: 'deploy',
          tenantId: 'acme',
          namespace: 'acme-prod',
          images: { callbot: 'v1' },
          requestedBy: 'ops@example.com',
          requestedAt: new Date(start).toISOString(),
          status: 'approved',
        });
      unit.audit({ actor: 'ci@example.com', action: 'version.register', target: `batch-${batch}`, details: { batch } });
    });
  }
}

const byId = <T extends { id: string }>(list: readonly T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
const comparable = (h: StoreHistory) => ({ versions: byId(h.versions), deployments: byId(h.deployments), approvals: byId(h.approvals), auditLines: h.auditLines });

describeTargets('ecp store migrate (issue 16)', (kind) => {
  const target = sharedTarget(kind);

  it('copies 1 000 versions and 200 audit events to the team store and back, intact, idempotent, refusing a different history', async () => {
    const namespace = await storeNamespace(target);
    const repo = gitRepo();
    const dataDir = tempDir();
    writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\nstore:\n  namespace: ${namespace}\n`);
    await fileHistory(dataDir);
    const env = { KUBECONFIG: target.kubeconfig };
    const team = { ...env, ECP_STORE: 'kubernetes' };
    const ecp = (args: string[], e: NodeJS.ProcessEnv) => runEcp(args, { cwd: repo, env: e, timeoutMs: 240_000 });

    const there = await ecp(['store', 'migrate', '--to', 'kubernetes'], env);
    expect(there.stderr).toBe('');
    expect(there.stdout).toMatch(/^Copied 1000 versions, 60 deployment records, 2 approvals and 200 audit events from .* to configmaps in namespace .*\.\n.*200 events, chain intact\.\n$/);
    const source = await new Store(dataDir).history();
    expect(comparable(await openTeamStore(target, namespace).history())).toEqual(comparable(source));
    expect((await ecp(['audit', 'verify'], team)).stdout).toMatch(/200 events, chain intact/);
    expect((await ecp(['store', 'status'], team)).stdout).toMatch(
      /backend +kubernetes\n.*\nversions +200 hot, 800 archived\ndeployments +50 hot, 10 archived\napprovals +2\naudit head +200 events, last [0-9a-f]{64}\n/,
    );
    expect((await ecp(['versions', 'list', 'ranker', '--all', '--json'], team)).stdout).toContain('ranker-v3-');

    expect((await ecp(['store', 'migrate', '--to', 'kubernetes'], env)).stdout).toMatch(/^Copied 0 versions, 0 deployment records, 0 approvals and 0 audit events/);

    const back = tempDir();
    const returned = await ecp(['store', 'migrate', '--to', 'file', '--data-dir', back], team);
    expect(returned.stderr).toBe('');
    expect(returned.stdout).toMatch(/^Copied 1000 versions, 60 deployment records, 2 approvals and 200 audit events/);
    expect(comparable(await new Store(back).history())).toEqual(comparable(source));
    expect((await ecp(['audit', 'verify', '--data-dir', back], env)).stdout).toMatch(/200 events, chain intact/);
    expect((await ecp(['store', 'migrate', '--to', 'file', '--data-dir', back], team)).stdout).toMatch(/^Copied 0 version/);

    // A file store with a history of its own: refused, not a byte written.
    const other = tempDir();
    await new Store(other).update((data, unit) => {
      data.versions.push(
        newVersion(
          { serviceName: 'callbot', imageName: 'callbot', imageTag: 'mine', fullImageName: 'localhost:5000/ecp-ai/callbot:mine', gitCommit: 'abc1234', gitBranch: 'main' },
          new Date(),
          new Set(),
        ),
      );
      unit.audit({ actor: 'someone@example.com', action: 'version.register', target: 'mine', details: {} });
    });
    const before = [readFileSync(path.join(other, 'store.json'), 'utf8'), readFileSync(path.join(other, 'audit.jsonl'), 'utf8')];
    const refused = await ecp(['store', 'migrate', '--to', 'file', '--data-dir', other], team);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^ecp: The target store \(.*\) holds a different history: its audit event 1 is not the source's; nothing was copied\.$/);
    expect([readFileSync(path.join(other, 'store.json'), 'utf8'), readFileSync(path.join(other, 'audit.jsonl'), 'utf8')]).toEqual(before);
  }, 600_000);
});
