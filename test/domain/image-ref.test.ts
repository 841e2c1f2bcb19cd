/** Issue 14, finding 7: one reading of an image reference, used by every layer. */
import { describe, expect, it } from 'vitest';
import { imagesAsTags } from '../../source/domain/approvals.js';
import { parseImageRef, tagOf } from '../../source/domain/names.js';
import { registryBaseUrl } from '../../source/adapters/registry.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it.each([
    ['localhost:5000/ecp-ai/callbot:v2', { repository: 'localhost:5000/ecp-ai/callbot', tag: 'v2', digest: undefined, registry: 'localhost:5000', path: 'ecp-ai/callbot' }],
    ['localhost:5000/ecp-ai/callbot', { repository: 'localhost:5000/ecp-ai/callbot', tag: undefined, registry: 'localhost:5000', path: 'ecp-ai/callbot' }],
    [`localhost:5000/ecp-ai/callbot@${DIGEST}`, { repository: 'localhost:5000/ecp-ai/callbot', tag: undefined, digest: DIGEST }],
    [`registry.example.com/ecp-ai/callbot:v2@${DIGEST}`, { repository: 'registry.example.com/ecp-ai/callbot', tag: 'v2', digest: DIGEST, registry: 'registry.example.com' }],
    ['busybox:1.36', { repository: 'busybox', tag: '1.36', registry: 'docker.io', path: 'library/busybox' }],
    ['bitnami/redis', { repository: 'bitnami/redis', registry: 'docker.io', path: 'bitnami/redis' }],
    ['docker.io/library/busybox:1.36', { registry: 'docker.io', path: 'library/busybox', tag: '1.36' }],
    ['registry-1.docker.io/library/busybox', { registry: 'docker.io', path: 'library/busybox' }],
    ['index.docker.io/busybox', { registry: 'docker.io', path: 'library/busybox' }],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toMatchObject(expected);
  });

  it('shows the tag, else the digest, in the CLI and the console', () => {
    expect(tagOf(`localhost:5000/ecp-ai/callbot@${DIGEST}`)).toBe(DIGEST);
    expect(tagOf(`localhost:5000/ecp-ai/callbot:v2@${DIGEST}`)).toBe('v2');
    expect(imagesAsTags({ callbot: `localhost:5000/ecp-ai/callbot@${DIGEST}`, chatbot: 'localhost:5000/ecp-ai/chatbot:v3' })).toBe(`callbot=${DIGEST} chatbot=v3`);
  });

  it('Docker Hub is docker.io everywhere; the registry adapter knows its API host', () => {
    expect(registryBaseUrl(parseImageRef('busybox').registry)).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl(parseImageRef('localhost:5000/a/b:v1').registry)).toBe('http://localhost:5000');
  });
});
