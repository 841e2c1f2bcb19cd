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

/** Splits `registry/prefix/name:tag@digest` into repository and tag, as Docker does. */
export function parseImageRef(image: string): { repository: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry host:port, not to a tag.
  if (colon > slash) {
    return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  }
  return { repository: rest, digest };
}
