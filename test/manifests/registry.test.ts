/**
 * The registry adapter and update-manifests' registry check against a real registry
 * (ECP_TEST_REGISTRY, scripts/test-env.sh), reached through its HTTP API only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTags, manifestDigest } from '../../source/adapters/registry.js';
import { UsageError } from '../../source/errors.js';
import { auditEvents, closedAddress, ecpEnv, manifestWorkspace, retarget, seedStore, snapshot, version } from '../helpers/manifests.js';
import { describeRegistry, pushTinyImage } from '../helpers/registry.js';
import { runEcp } from '../helpers/run-ecp.js';

const run = `t${Date.now().toString(36)}`; // unique tags per test run: the registry outlives the tests

describe('registry adapter without a registry', () => {
  // The test's own timeout: a refused connection fails at once, well within the adapter's.
  it('an unreachable registry is a UsageError naming it, well within the timeout', { timeout: 6_000 }, async () => {
    const closed = await closedAddress();
    const error = await manifestDigest(closed, 'ecp-ai/callbot', 'v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`Registry ${closed} cannot be reached (ECONNREFUSED).`);
  });

  it('refuses a repository name that is not one', async () => {
    await expect(manifestDigest('127.0.0.1:9', '../x', 'v1')).rejects.toThrow(/not a valid image repository name/);
  });
});

await describeRegistry('registry adapter and the registry check of update-manifests', (registry) => {
  let digest = '';
  beforeAll(async () => {
    digest = await pushTinyImage(registry, 'ecp-ai/callbot', `${run}-a`);
    await pushTinyImage(registry, 'ecp-ai/callbot', `${run}-b`);
  });

  it("manifestDigest gives the registry's Docker-Content-Digest, and undefined for a missing tag or repository", async () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await manifestDigest(registry, 'ecp-ai/callbot', `${run}-a`)).toBe(digest);
    expect(await manifestDigest(registry, `${registry}/ecp-ai/callbot`, `${run}-a`)).toBe(digest);
    expect(await manifestDigest(registry, 'ecp-ai/callbot', `${run}-missing`)).toBeUndefined();
    expect(await manifestDigest(registry, 'ecp-ai/no-such-service', 'v1')).toBeUndefined();
  });

  it('listTags lists the pushed tags, [] for an unknown repository', async () => {
    const tags = await listTags(registry, 'ecp-ai/callbot');
    expect(tags).toEqual(expect.arrayContaining([`${run}-a`, `${run}-b`]));
    expect(await listTags(registry, 'ecp-ai/no-such-service')).toEqual([]);
  });

  it('update-manifests writes an image that exists in the registry', async () => {
    const ws = manifestWorkspace(['acme']);
    retarget(ws, registry);
    seedStore(ws.data, [version('callbot', `${run}-a`, { registry })]);
    const result = await runEcp(['update-manifests', 'acme', '--service', 'callbot', '--json'], { cwd: ws.root, env: ecpEnv(ws, { DOCKER_REGISTRY: registry }) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.registryCheck).toBe('passed');
    expect(json.changes[0]).toMatchObject({ service: 'callbot', toTag: `${run}-a`, registryDigest: digest });
    expect(readFileSync(path.join(ws.manifests, 'acme/callbot.yaml'), 'utf8')).toContain(`"${registry}/ecp-ai/callbot:${run}-a"`);
    expect(auditEvents(ws.data).map((e) => e.action)).toEqual(['manifests.update']);
  });

  it('a registered tag missing from the registry is exit 2 naming the image and the registry; --skip-registry-check writes it, audited', async () => {
    const ws = manifestWorkspace(['acme']);
    retarget(ws, registry);
    seedStore(ws.data, [version('callbot', `${run}-gone`, { registry })]);
    const env = ecpEnv(ws, { DOCKER_REGISTRY: registry });
    const before = snapshot(ws.manifests);
    const missing = await runEcp(['update-manifests', 'acme', '--service', 'callbot'], { cwd: ws.root, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Image ${registry}/ecp-ai/callbot:${run}-gone does not exist in registry ${registry}; nothing was written.`);
    expect(snapshot(ws.manifests)).toEqual(before);

    const skipped = await runEcp(['update-manifests', 'acme', '--service', 'callbot', '--skip-registry-check', '--reason', 'registry migrating'], { cwd: ws.root, env });
    expect(skipped.code).toBe(0);
    const events = auditEvents(ws.data);
    expect(events.map((e) => e.action)).toEqual(['manifests.update']);
    expect(events[0]!.details).toMatchObject({ registryCheck: 'skipped', reason: 'registry migrating' });
    expect(JSON.stringify(events[0]!.details.changes)).toContain(`${registry}/ecp-ai/callbot:${run}-gone`);
  });
});
