/** Name rules of DESIGN §3, as pure predicates and checkers. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isDns1123Label(value: string): boolean {
  return DNS1123_LABEL.test(value);
}

export function isDockerTag(value: string): boolean {
  return DOCKER_TAG.test(value);
}

/** Returns an error sentence naming the bad value, or undefined when it is fine. */
export function dns1123Problem(what: string, value: string): string | undefined {
  if (isDns1123Label(value)) return undefined;
  return `${what} "${value}" is not a valid DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters).`;
}

export function dockerTagProblem(value: string): string | undefined {
  if (isDockerTag(value)) return undefined;
  return `Image tag "${value}" is not a valid Docker tag (letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters).`;
}

/** Docker Hub, as ecp names it everywhere (its API host is the registry adapter's business). */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

export interface ImageRef {
  /** As written, without tag and digest: `localhost:5000/ecp-ai/callbot`, `busybox`. */
  repository: string;
  tag?: string;
  /** `sha256:…` after an `@`. */
  digest?: string;
  /** The registry host: the first part when it looks like one (a dot, a port, or localhost), else Docker Hub. */
  registry: string;
  /** The repository inside its registry: `ecp-ai/callbot`; an official Docker Hub image is `library/busybox`. */
  path: string;
}

/**
 * The one reading of an image reference, as Docker reads it: `[registry[:port]/]path[:tag][@digest]`.
 * A colon before the last slash belongs to a registry's port, not to a tag.
 */
export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isHost ? (DOCKER_HUB_ALIASES.has(first) ? DOCKER_HUB : first) : DOCKER_HUB;
  let path = isHost ? rest.slice(slash + 1) : rest;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { repository: rest, tag, digest, registry, path };
}

/** What an image is shown as in a narrow column: its tag, else its digest. */
export function tagOf(image: string | undefined): string {
  if (!image) return '';
  const ref = parseImageRef(image);
  return ref.tag ?? ref.digest ?? '';
}
