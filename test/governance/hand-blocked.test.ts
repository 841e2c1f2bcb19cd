/**
 * Issue 14, finding 4: a version blocked by hand (`ecp versions status ID --status blocked`, its
 * scan passed) is refused everywhere a blocked version is — update-manifests, deploy, rollback
 * --to, apply, validate — and a later clean scan does not lift the block. On the sandbox,
 * without a Docker engine or a registry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyTenant } from '../../source/pipeline/apply.js';
import { deploy } from '../../source/pipeline/deploy.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { scanVersion } from '../../source/pipeline/scan.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { validateManifests } from '../../source/pipeline/validate.js';
import { changeVersionStatus } from '../../source/pipeline/versions.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../scan/fixtures');
const image = (tag: string) => `localhost:5000/ecp-ai/callbot:${tag}`;
const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

describe('a version blocked by hand (issue 14, finding 4)', () => {
  it('is refused by update-manifests, deploy, rollback --to, apply and validate, and stays blocked after a clean scan', async () => {
    const s = await scenario(undefined, 'requireApproval: []\n');
    open.push(s);
    const deployCallbot = () => deploy(s.core, s.client, { tenant: 'test-download', services: ['callbot'], build: false, skipRegistryCheck: true, timeoutMs: 20_000 });
    await s.release('callbot:v2');
    expect((await deployCallbot()).ok).toBe(true);
    await s.release('callbot:v3');
    const v3 = (await s.core.store.read()).versions.find((v) => v.imageTag === 'v3')!;
    const { after } = await changeVersionStatus(s.core, v3.id, { status: 'blocked' });
    expect(after).toMatchObject({ status: 'blocked', securityScanResult: 'passed' });
    const manifest = s.manifest('test-download', 'callbot.yaml');
    const before = readFileSync(manifest, 'utf8');

    await expect(updateManifests(s.core, { tenant: 'test-download', service: 'callbot', tag: 'v3', skipRegistryCheck: true })).rejects.toThrow(/callbot:v3 is blocked/);
    await expect(updateManifests(s.core, { tenant: 'test-download', versionId: v3.id, skipRegistryCheck: true })).rejects.toThrow(/is blocked/);
    expect((await deployCallbot()).changes).toEqual([]); // v2 stays the newest deployable version
    await expect(rollback(s.core, s.client, { tenant: 'test-download', service: 'callbot', toVersionId: v3.id, reason: 'x', skipRegistryCheck: true })).rejects.toThrow(
      `Version ${v3.id} (v3) is blocked (status blocked); --force overrides (audited).`,
    );
    expect(readFileSync(manifest, 'utf8')).toBe(before);

    // Written by hand, it is refused by apply and reported by validate.
    writeFileSync(manifest, before.replace('callbot:v2', 'callbot:v3'));
    await expect(applyTenant(s.core, s.client.cluster, { tenant: 'test-download' })).rejects.toThrow(`callbot uses blocked image ${image('v3')}`);
    expect(await s.liveImage('test-download', 'callbot')).toBe(image('v2'));
    // --force applies it; the pipeline itself audits that, whoever called it.
    await applyTenant(s.core, s.client.cluster, { tenant: 'test-download', force: true, reason: 'hotfix accepted by security' });
    expect((await s.core.audit.list()).find((e) => e.action === 'apply.force')).toMatchObject({
      actor: 'operator@example.test',
      target: 'test-download',
      details: { forcedImages: [image('v3')], reason: 'hotfix accepted by security' },
    });
    const validated = await validateManifests(s.core, { tenant: 'test-download', offlineReason: 'test' });
    expect(validated.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toContainEqual(expect.stringMatching(/tag v3 of callbot is blocked \(status blocked; version callbot-v3-/));
    writeFileSync(manifest, before);

    // A clean scan does not undo a person's block.
    const report = path.join(tempDir(), 'clean.json');
    writeFileSync(report, readFileSync(path.join(fixtures, 'trivy-clean.json'), 'utf8').replaceAll('localhost:5000/ecp-ai/chatbot:stable-1a2b3c4', image('v3')));
    const scanned = await scanVersion(s.core, v3.id, { report });
    expect(scanned.verdict.passed).toBe(true);
    expect(scanned.version).toMatchObject({ status: 'blocked', securityScanResult: 'passed' });
    await expect(updateManifests(s.core, { tenant: 'test-download', service: 'callbot', tag: 'v3', skipRegistryCheck: true })).rejects.toThrow(/blocked/);
  });
});
