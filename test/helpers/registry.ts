/**
 * A real registry for tests that need one, reached through its HTTP API only (no Docker engine):
 * `pushTinyImage` uploads a one-layer image (blob upload + manifest PUT). The registry is
 * ECP_TEST_REGISTRY, or the one named in .test-env (scripts/test-env.sh --start). When none
 * answers, `describeRegistry` skips loudly, and fails under CI=true.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describeWith, testEnvValues } from './test-env.js';

/** The registry under test and whether it answers `GET /v2/`. */
export async function registryUnderTest(): Promise<{ registry?: string; reason: string }> {
  const registry = testEnvValues().ECP_TEST_REGISTRY;
  if (!registry) return { reason: 'ECP_TEST_REGISTRY is not set and there is no .test-env (run the tests under scripts/test-env.sh)' };
  try {
    const response = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    if (response.status !== 200) return { reason: `registry ${registry} answered ${response.status} to GET /v2/` };
  } catch (error) {
    return { reason: `registry ${registry} does not answer (${(error as Error).message})` };
  }
  return { registry, reason: '' };
}

/** `describe` for tests that need the registry: skipped loudly without it, failed under CI=true. */
export async function describeRegistry(name: string, body: (registry: string) => void): Promise<void> {
  const { registry, reason } = await registryUnderTest();
  describeWith(name, 'registry', registry, reason, body);
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function uploadBlob(registry: string, name: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const head = await fetch(`http://${registry}/v2/${name}/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return digest;
  const start = await fetch(`http://${registry}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`blob upload to ${registry}/${name} answered ${start.status}`);
  const location = new URL(start.headers.get('location')!, `http://${registry}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(data) });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`blob PUT to ${registry}/${name} answered ${put.status}`);
  return digest;
}

/** Pushes a tiny image `registry/name:tag` and returns its manifest digest. */
export async function pushTinyImage(registry: string, name: string, tag: string): Promise<string> {
  const tar = Buffer.alloc(1024); // an empty tar archive: two zero blocks
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'ecp.test/image': `${name}:${tag}` } },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const layerDigest = await uploadBlob(registry, name, layer);
  const configDigest = await uploadBlob(registry, name, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
  });
  const put = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`manifest PUT ${registry}/${name}:${tag} answered ${put.status}`);
  return put.headers.get('docker-content-digest') ?? sha256(Buffer.from(manifest));
}
