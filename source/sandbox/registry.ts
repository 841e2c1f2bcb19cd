/**
 * A container registry's HTTP API (distribution v2, read side) for the images the sandbox is told
 * it holds, so that `ecp --sandbox` answers the registry checks of its demo images with nothing
 * else running: `GET /v2/` (the API check), `HEAD|GET /v2/<name>/manifests/<tag|digest>` (an OCI
 * image manifest, with its `Docker-Content-Digest`), `GET /v2/<name>/tags/list`. Anything it does
 * not hold is 404 MANIFEST_UNKNOWN / NAME_UNKNOWN, as a registry answers; it takes no pushes.
 *
 * It is served beside the Kubernetes API (no Kubernetes path starts with /v2/), and images are
 * held by repository path and tag, whatever host their names carry: the caller routes that host
 * here.
 */
import { createHash } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface RegistryReply {
  status: number;
  headers: Record<string, string>;
  /** Empty for HEAD. */
  body: string;
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** The repository path and tag of an image name (`host[:port]/path:tag`, `path:tag`); undefined without a tag. */
function pathAndTag(image: string): { path: string; tag: string } | undefined {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon < 0 || name.slice(colon).includes('/')) return undefined;
  const first = name.slice(0, colon).split('/');
  // A first part with a dot, a colon or `localhost` is a registry host, as Docker reads names.
  const hasHost = first.length > 1 && /[.:]|^localhost$/.test(first[0]!);
  return { path: (hasHost ? first.slice(1) : first).join('/'), tag: name.slice(colon + 1) };
}

/** A small, valid OCI manifest per image: one empty config, one layer named after the image. */
function manifestOf(path: string, tag: string): string {
  const config = '{}';
  const layer = `${path}:${tag}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
  });
}

const error = (status: number, code: string, message: string, detail: Record<string, string>): RegistryReply => ({
  status,
  headers: { 'Content-Type': 'application/json', 'Docker-Distribution-API-Version': 'registry/2.0' },
  body: JSON.stringify({ errors: [{ code, message, detail }] }),
});

export class SandboxRegistry {
  /** Repository path → tag → manifest text. */
  private readonly repositories = new Map<string, Map<string, string>>();

  /** Holds these images from now on; names without a tag are ignored. */
  hold(images: Iterable<string>): void {
    for (const image of images) {
      const ref = pathAndTag(image);
      if (!ref) continue;
      const tags = this.repositories.get(ref.path) ?? new Map<string, string>();
      tags.set(ref.tag, manifestOf(ref.path, ref.tag));
      this.repositories.set(ref.path, tags);
    }
  }

  /** The digest a held image's manifest has (what `docker push` would have printed). */
  digestOf(image: string): string | undefined {
    const ref = pathAndTag(image);
    const manifest = ref && this.repositories.get(ref.path)?.get(ref.tag);
    return manifest === undefined ? undefined : sha256(manifest);
  }

  static handles(path: string): boolean {
    return path === '/v2' || path.startsWith('/v2/');
  }

  answer(method: string, path: string): RegistryReply {
    const api = { 'Docker-Distribution-API-Version': 'registry/2.0' };
    if (method !== 'GET' && method !== 'HEAD') return error(405, 'UNSUPPORTED', 'The operation is unsupported.', {});
    const head = method === 'HEAD';
    if (path === '/v2' || path === '/v2/') return { status: 200, headers: { ...api, 'Content-Type': 'application/json' }, body: head ? '' : '{}' };
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest) {
      const [, name, reference] = manifest as unknown as [string, string, string];
      const tags = this.repositories.get(name);
      const text = reference.startsWith('sha256:') ? [...(tags?.values() ?? [])].find((m) => sha256(m) === reference) : tags?.get(reference);
      if (text === undefined) return error(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { name, revision: reference });
      return { status: 200, headers: { ...api, 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': sha256(text), 'Content-Length': String(Buffer.byteLength(text)) }, body: head ? '' : text };
    }
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (tagList) {
      const name = tagList[1]!;
      const tags = this.repositories.get(name);
      if (!tags) return error(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name });
      return { status: 200, headers: { ...api, 'Content-Type': 'application/json' }, body: head ? '' : JSON.stringify({ name, tags: [...tags.keys()].sort() }) };
    }
    return error(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: path.slice('/v2/'.length) });
  }
}
