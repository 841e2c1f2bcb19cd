import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeRegistry } from '../helpers/registry.js';
import { runEcp } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { git, gitRepo } from '../helpers/temp.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** A second operator's clone: same config and store, another git user.email. */
function colleague(s: Scenario, email: string): string {
  const dir = gitRepo();
  git(dir, 'config', 'user.email', email);
  writeFileSync(path.join(dir, 'ecp.config.yaml'), readFileSync(path.join(s.repo, 'ecp.config.yaml')));
  return dir;
}

await describeRegistry('approvals for production deploys', (registry) => {
  it('stops a prod deploy pending; only another approver approves; stale or mismatched approvals are refused', async () => {
    const s = await scenario(registry, 'approvers: [lead@example.test, operator@example.test]\n');
    open.push(s);
    const lead = colleague(s, 'lead@example.test');
    await s.release('callbot:v2');
    const deploy = (...extra: string[]) => s.ecp(['deploy', 'acme-prod', '--service', 'callbot', '--no-build', '--timeout', '30s', ...extra]);

    const pending = await deploy();
    expect(pending.code).toBe(3);
    const id = /approval (apr-[\w-]+) is pending/.exec(pending.stderr)?.[1];
    expect(id, pending.stderr).toMatch(/^apr-[\w-]+$/);
    expect(await s.liveImage('acme-prod', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:v1.0.0-seed01');
    expect(readFileSync(s.manifest('acme-prod', 'services.yaml'), 'utf8')).not.toContain(':v2');
    const listed = JSON.parse((await s.ecp(['approvals', '--json'])).stdout);
    expect(listed).toMatchObject([{ id, status: 'pending', tenantId: 'acme-prod', requestedBy: 'operator@example.test', images: { callbot: 'localhost:5000/ecp-ai/callbot:v2' } }]);

    const stillPending = await deploy('--approval', id!);
    expect(stillPending.code).toBe(2);
    expect(stillPending.stderr).toMatch(/still pending/);
    const own = await s.ecp(['approve', id!]);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/operator@example.test requested approval .* and cannot approve or reject it/);
    const approved = await runEcp(['approve', id!], { cwd: lead, env: s.env });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/approved by lead@example.test/);

    // A newer version appeared meanwhile: the approval covers v2, not v3.
    await s.release('callbot:v3');
    const mismatch = await deploy('--approval', id!);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/covers callbot=localhost:5000\/ecp-ai\/callbot:v2, but this run would write callbot=localhost:5000\/ecp-ai\/callbot:v3/);
    await s.ecp(['versions', 'status', (await s.core.store.read()).versions.find((v) => v.imageTag === 'v3')!.id, '--status', 'retired']);

    // An approval past its time-to-live is refused.
    const store = path.join(s.dataDir, 'store.json');
    const original = readFileSync(store, 'utf8');
    const data = JSON.parse(original);
    data.approvals[0].requestedAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
    writeFileSync(store, JSON.stringify(data));
    const expired = await deploy('--approval', id!);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/has expired/);
    writeFileSync(store, original);

    const ok = await deploy('--approval', id!);
    expect(ok.stderr).toMatch(/rollout done/);
    expect(ok.code).toBe(0);
    expect(await s.liveImage('acme-prod', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:v2');

    const audit = JSON.parse((await s.ecp(['audit', '--json'])).stdout).map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['approval.request', 'approval.approve', 'approval.used', 'deploy.run']));
  });

  it('gates update-manifests into a prod namespace the same way', async () => {
    const s = await scenario(registry);
    open.push(s);
    const lead = colleague(s, 'lead@example.test');
    await s.release('chatbot:v2');
    const update = (...extra: string[]) => s.ecp(['update-manifests', 'acme-prod', '--service', 'chatbot', ...extra]);
    expect((await update('--dry-run')).code).toBe(0);
    const pending = await update();
    expect(pending.code).toBe(3);
    const id = /approval (apr-[\w-]+) is pending/.exec(pending.stderr)![1]!;
    expect(readFileSync(s.manifest('acme-prod', 'services.yaml'), 'utf8')).not.toContain('chatbot:v2');
    expect((await runEcp(['reject', id], { cwd: lead, env: s.env })).stderr).toMatch(/needs a reason/);
    expect((await runEcp(['approve', id], { cwd: lead, env: s.env })).code).toBe(0);
    const done = await update('--approval', id);
    expect(done.code).toBe(0);
    expect(readFileSync(s.manifest('acme-prod', 'services.yaml'), 'utf8')).toContain("image: 'localhost:5000/ecp-ai/chatbot:v2'");
  });

  it('lets an emergency rollback in a prod namespace through without approval, with a reason, audited', async () => {
    const s = await scenario(registry, 'requireApproval: []\n');
    open.push(s);
    await s.release('callbot:v2');
    expect((await s.ecp(['deploy', 'acme-prod', '--service', 'callbot', '--no-build'])).code).toBe(0);
    await s.release('callbot:v3');
    expect((await s.ecp(['deploy', 'acme-prod', '--service', 'callbot', '--no-build'])).code).toBe(0);
    writeFileSync(path.join(s.repo, 'ecp.config.yaml'), `dataDir: ${s.dataDir}\n`); // approvals required again
    const rolled = await s.ecp(['rollback', 'acme-prod', 'callbot', '--reason', 'latency spike']);
    expect(rolled.stderr).not.toMatch(/approval/);
    expect(rolled.code).toBe(0);
    const events = JSON.parse((await s.ecp(['audit', '--json'])).stdout);
    expect(events.find((e: { action: string }) => e.action === 'deploy.rollback')).toMatchObject({
      actor: 'operator@example.test',
      target: 'acme-prod/callbot',
      details: { reason: 'latency spike', withoutApproval: true },
    });
  });
});
