/**
 * Issue 14, findings 1 and 5: every namespace rule looks at the namespaces the change touches,
 * read from the objects (a tenant folder `shop` whose objects say `namespace: shop-prod` is
 * gated like production), and an approval is bound to the action it was granted for. On the
 * sandbox, without a Docker engine or a registry.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTenants } from '../../source/adapters/manifests.js';
import { ApprovalPendingError } from '../../source/pipeline/approval-gate.js';
import { decideApproval } from '../../source/pipeline/approval-decision.js';
import { deploy } from '../../source/pipeline/deploy.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { validateManifests } from '../../source/pipeline/validate.js';
import { readTenantViews } from '../../source/ui/model/console-data.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** A tenant folder `shop` whose objects all name the namespace `shop-prod`. */
function addShop(s: Scenario): string {
  const dir = path.join(s.repo, 'k8s-manifests', 'shop');
  cpSync(path.join(s.repo, 'k8s-manifests', 'test-download'), dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    writeFileSync(path.join(dir, file), text.replaceAll('namespace: test-download', 'namespace: shop-prod'));
  }
  return path.join(dir, 'callbot.yaml');
}

async function refusal(work: Promise<unknown>): Promise<ApprovalPendingError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApprovalPendingError);
  return error as ApprovalPendingError;
}

describe('namespace rules read the objects (issue 14, finding 1)', () => {
  it('gates update-manifests and deploy of a tenant whose objects land in a prod namespace; the console asks for the tenant id', async () => {
    const s = await scenario(undefined, 'approvers: [lead@example.test]\n');
    open.push(s);
    const manifest = addShop(s);
    await s.release('callbot:v2');
    const before = readFileSync(manifest, 'utf8');

    const update = await refusal(updateManifests(s.core, { tenant: 'shop', service: 'callbot', skipRegistryCheck: true }));
    expect(update.approval).toMatchObject({ action: 'update-manifests', tenantId: 'shop', namespace: 'shop-prod', images: { callbot: 'localhost:5000/ecp-ai/callbot:v2' } });
    expect(readFileSync(manifest, 'utf8')).toBe(before);
    const deployed = await refusal(deploy(s.core, s.client, { tenant: 'shop', services: ['callbot'], build: false, skipRegistryCheck: true }));
    expect(deployed.approval).toMatchObject({ action: 'deploy', namespace: 'shop-prod' });
    expect(readFileSync(manifest, 'utf8')).toBe(before);

    // The console's typed confirmation follows the same namespaces.
    const views = await readTenantViews(s.core, await loadTenants(s.core.config), undefined, Date.now());
    expect(Object.fromEntries(views.map((v) => [v.id, v.protectedNamespaces]))).toEqual({ 'acme-prod': ['acme-prod'], shop: ['shop-prod'], 'test-download': [] });

    // A folder whose objects name another namespace is still a validate error.
    const validated = await validateManifests(s.core, { tenant: 'shop', offlineReason: 'test' });
    expect(validated.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toContainEqual(expect.stringMatching(/namespace "shop-prod" is not .*"shop"/));
  });
});

describe('an approval is bound to its action (issue 14, finding 5)', () => {
  it('an approved update-manifests approval does not pass deploy --approval, and covers update-manifests', async () => {
    const s = await scenario(undefined, 'approvers: [lead@example.test]\n');
    open.push(s);
    await s.release('callbot:v2');
    const { approval } = await refusal(updateManifests(s.core, { tenant: 'acme-prod', service: 'callbot', skipRegistryCheck: true }));
    const lead = { ...s.core, actor: async () => 'lead@example.test' };
    await decideApproval(lead, approval.id, 'approved');

    const deployWith = deploy(s.core, s.client, { tenant: 'acme-prod', services: ['callbot'], build: false, skipRegistryCheck: true, approvalId: approval.id });
    await expect(deployWith).rejects.toThrow(`Approval ${approval.id} is for update-manifests, not deploy.`);
    expect(readFileSync(s.manifest('acme-prod', 'services.yaml'), 'utf8')).not.toContain('callbot:v2');

    const updated = await updateManifests(s.core, { tenant: 'acme-prod', service: 'callbot', skipRegistryCheck: true, approvalId: approval.id });
    expect(updated.written).toBe(true);
    const used = (await s.core.audit.list()).find((e) => e.action === 'approval.used');
    expect(used).toMatchObject({ actor: 'operator@example.test', target: approval.id, details: { action: 'update-manifests' } });
  });
});
