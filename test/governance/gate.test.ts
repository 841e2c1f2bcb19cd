import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { describeRegistry } from '../helpers/registry.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { git } from '../helpers/temp.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

await describeRegistry('the vulnerability gate on every path to a cluster', (registry) => {
  it('refuses a blocked version in update-manifests, deploy, rollback and apply; --force is audited with actor and reason', async () => {
    const s = await scenario(registry, 'requireApproval: []\n');
    open.push(s);
    await s.release('callbot:v2');
    expect((await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build'])).code).toBe(0);
    await s.release('callbot:v3');
    const v3 = (await s.core.store.read()).versions.find((v) => v.imageTag === 'v3')!;
    expect((await s.ecp(['versions', 'status', v3.id, '--status', 'blocked', '--scan', 'failed', '--vulns', '3'])).code).toBe(0);
    const manifest = s.manifest('test-download', 'callbot.yaml');
    const before = readFileSync(manifest, 'utf8');

    const update = await s.ecp(['update-manifests', 'test-download', '--service', 'callbot', '--tag', 'v3']);
    expect(update.code).toBe(2);
    expect(update.stderr).toMatch(/blocked/);
    const deploy = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build']);
    // The newest ready version is still v2: nothing to deploy, and v3 is never picked.
    expect(deploy.stdout).toMatch(/nothing to deploy/);
    const rollbackTo = await s.ecp(['rollback', 'test-download', 'callbot', '--to', v3.id, '--reason', 'x']);
    expect(rollbackTo.code).toBe(2);
    expect(rollbackTo.stderr).toMatch(/is blocked \(scan failed\); --force overrides/);
    expect(readFileSync(manifest, 'utf8')).toBe(before);

    // A blocked image written by hand is refused by apply.
    writeFileSync(manifest, before.replace(/callbot:v2/, 'callbot:v3'));
    const apply = await s.ecp(['apply', 'test-download']);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(/Refusing to apply test-download: callbot uses blocked image localhost:5000\/ecp-ai\/callbot:v3/);
    expect(await s.liveImage('test-download', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:v2');
    const forced = await s.ecp(['apply', 'test-download', '--force', '--reason', 'CVE is not reachable in our build']);
    expect(forced.code).toBe(0);
    expect(await s.liveImage('test-download', 'callbot')).toBe('localhost:5000/ecp-ai/callbot:v3');
    writeFileSync(manifest, before);

    const forcedUpdate = await s.ecp(['update-manifests', 'test-download', '--service', 'callbot', '--tag', 'v3', '--force', '--reason', 'accepted risk']);
    expect(forcedUpdate.code).toBe(0);
    const audit = JSON.parse((await s.ecp(['audit', '--json'])).stdout) as { actor: string; action: string; details: Record<string, unknown> }[];
    expect(audit.find((e) => e.action === 'apply.force')).toMatchObject({
      actor: 'operator@example.test',
      details: { reason: 'CVE is not reachable in our build', forcedImages: ['localhost:5000/ecp-ai/callbot:v3'] },
    });
    const manifestForce = audit.filter((e) => e.action === 'manifests.update').at(-1)!;
    expect(manifestForce).toMatchObject({ actor: 'operator@example.test', details: { reason: 'accepted risk' } });
    expect(JSON.stringify(manifestForce.details.force)).toMatch(/blocked/);
    expect(git(s.repo, 'status', '--porcelain')).toContain('callbot.yaml');
  });
});
