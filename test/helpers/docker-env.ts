/**
 * The real Docker engine and registry of scripts/test-env.sh, for tests that need them.
 *
 * They are found from DOCKER_HOST, ECP_TEST_REGISTRY and ECP_TEST_BASE_IMAGE (set when the tests
 * run under `scripts/test-env.sh npm test`), or else from the .test-env file that
 * `scripts/test-env.sh --start` writes. When there are none, Docker tests skip with a loud
 * message; with CI=true they fail instead, since CI must run them.
 */
import { existsSync } from 'node:fs';
import { describeWith, testEnvValues } from './test-env.js';

export interface DockerTestEnv {
  dockerHost: string;
  registry: string;
  baseImage: string;
  /** The variables to pass to a child ecp process. */
  env: Record<string, string>;
}

let cached: { env?: DockerTestEnv; reason: string } | undefined;

export function dockerTestEnv(): { env?: DockerTestEnv; reason: string } {
  if (cached) return cached;
  const values = testEnvValues();
  const dockerHost = values.DOCKER_HOST;
  const registry = values.ECP_TEST_REGISTRY;
  const baseImage = values.ECP_TEST_BASE_IMAGE ?? 'ecp-test/busybox:latest';
  if (!registry || !dockerHost) {
    cached = { reason: 'ECP_TEST_REGISTRY / DOCKER_HOST are not set and there is no .test-env (run the tests under scripts/test-env.sh)' };
  } else if (dockerHost.startsWith('unix://') && !existsSync(dockerHost.slice('unix://'.length))) {
    cached = { reason: `the engine socket of DOCKER_HOST=${dockerHost} does not exist (a stale .test-env? run scripts/test-env.sh --start)` };
  } else {
    cached = {
      env: {
        dockerHost,
        registry,
        baseImage,
        env: { DOCKER_HOST: dockerHost, ECP_TEST_REGISTRY: registry, ECP_TEST_BASE_IMAGE: baseImage },
      },
      reason: '',
    };
  }
  return cached;
}

/**
 * `describe` for tests that need the real engine and registry: skipped loudly without them,
 * failed under CI=true.
 */
export function describeDocker(name: string, body: (docker: DockerTestEnv) => void): void {
  const { env, reason } = dockerTestEnv();
  describeWith(name, 'Docker engine and registry', env, reason, body);
}

/** HEAD /v2/<name>/manifests/<tag> straight from the registry: its Docker-Content-Digest, or undefined on 404. */
export async function registryDigest(registry: string, name: string, tag: string): Promise<string | undefined> {
  const response = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', '),
    },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${name}:${tag}`);
  return response.headers.get('docker-content-digest') ?? undefined;
}

/** GET /v2/<name>/tags/list: the tags the registry has ([] for an unknown repository). */
export async function registryTags(registry: string, name: string): Promise<string[]> {
  const response = await fetch(`http://${registry}/v2/${name}/tags/list`);
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}

/** The image config of name:tag in the registry (history, labels), read through its manifest. */
export async function registryImageConfig(
  registry: string,
  name: string,
  tag: string,
): Promise<{
  history?: { created_by?: string }[];
  config?: { Labels?: Record<string, string> };
}> {
  const manifest = (await (
    await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    })
  ).json()) as { config: { digest: string } };
  return (await (await fetch(`http://${registry}/v2/${name}/blobs/${manifest.config.digest}`)).json()) as never;
}
