/**
 * The sandbox's registry API (source/sandbox/registry.ts), read by ecp's own registry client as
 * it reads a real registry: the images it holds are there with a stable digest, others are
 * missing, and it lists a repository's tags.
 */
import { describe, expect, it } from 'vitest';
import { listTags, manifestDigest } from '../../source/adapters/registry.js';
import { call, sandbox } from './helpers.js';

describe('the sandbox registry', () => {
  it('answers manifests, digests and tags of the images it holds, and 404 for the rest', async () => {
    const sb = await sandbox({ registryImages: ['localhost:5000/ecp-ai/callbot:v1.0.0', 'localhost:5000/ecp-ai/callbot:v0.9.0', 'busybox'] });
    const host = sb.url.replace('http://', '');
    const digest = await manifestDigest(host, 'ecp-ai/callbot', 'v1.0.0');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digest).toBe(sb.imageDigest('localhost:5000/ecp-ai/callbot:v1.0.0'));
    expect(await manifestDigest(host, 'ecp-ai/callbot', 'v2.0.0')).toBeUndefined();
    expect(await manifestDigest(host, 'ecp-ai/chatbot', 'v1.0.0')).toBeUndefined();
    expect(await listTags(host, 'ecp-ai/callbot')).toEqual(['v0.9.0', 'v1.0.0']);

    sb.holdImages(['localhost:5000/ecp-ai/chatbot:v1.0.0']);
    expect(await manifestDigest(host, 'ecp-ai/chatbot', 'v1.0.0')).toMatch(/^sha256:/);
    // The manifest itself, by digest, as a pull reads it; the Kubernetes API beside it still answers.
    const byDigest = await fetch(`${sb.url}/v2/ecp-ai/callbot/manifests/${digest}`);
    expect(byDigest.status).toBe(200);
    expect(JSON.parse(await byDigest.text())).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect((await call(sb, 'GET', '/version')).status).toBe(200);
    const missing = await fetch(`${sb.url}/v2/ecp-ai/nothing/manifests/v1`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });
});
