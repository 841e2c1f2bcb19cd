/**
 * `ecp build` against the real engine and registry of scripts/test-env.sh: a FROM scratch
 * service and a busybox service with a RUN step are built, pushed and registered; tags follow
 * the policy; the registry has them under the stored digests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeDocker, registryDigest, registryImageConfig, registryTags } from '../helpers/docker-env.js';
import { runEcp } from '../helpers/run-ecp.js';
import { git } from '../helpers/temp.js';
import { serviceRepo } from './service-repo.js';

interface Result {
  service: string;
  outcome: string;
  image: string;
  tag: string;
  versionId?: string;
  digest?: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describeDocker('ecp build with the real engine and registry', (docker) => {
  let repo: string;
  let sha: string;
  let first: Result[];
  let firstRun: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    repo = serviceRepo({ registry: docker.registry, baseImage: docker.baseImage, services: ['callbot', 'chatbot'] });
    sha = git(repo, 'rev-parse', 'HEAD');
    firstRun = await runEcp(['build', '--json'], { cwd: repo, env: docker.env, timeoutMs: 90_000 });
    first = firstRun.code === 0 ? (JSON.parse(firstRun.stdout) as Result[]) : [];
  });

  it('pushes both services under the branch policy tag and registers them with the registry digest', async () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const tag = `stable-${sha.slice(0, 7)}`;
    expect(first.map((r) => [r.service, r.outcome, r.image])).toEqual([
      ['callbot', 'pushed', `${docker.registry}/ecp-ai/callbot:${tag}`],
      ['chatbot', 'pushed', `${docker.registry}/ecp-ai/chatbot:${tag}`],
    ]);
    for (const r of first) {
      expect(await registryTags(docker.registry, `ecp-ai/${r.service}`)).toContain(tag);
      const shown = await runEcp(['versions', 'show', r.versionId!, '--json'], { cwd: repo, env: docker.env });
      const version = JSON.parse(shown.stdout);
      expect(version).toMatchObject({
        serviceName: r.service,
        imageTag: tag,
        fullImageName: r.image,
        status: 'pushed',
        securityScanResult: 'pending',
        gitCommit: sha,
        gitBranch: 'main',
      });
      expect(version.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(version.digest).toBe(await registryDigest(docker.registry, `ecp-ai/${r.service}`, tag));
      expect(version.sizeBytes).toBeGreaterThan(0);
      expect(version.buildDurationMs).toBeGreaterThan(0);
    }
  });

  it('ran the busybox service RUN step and labelled both images with the commit', async () => {
    const tag = `stable-${sha.slice(0, 7)}`;
    const callbot = await registryImageConfig(docker.registry, 'ecp-ai/callbot', tag);
    expect(callbot.history?.some((h) => h.created_by?.includes('sha256sum run.sh prompts.txt > CHECKSUMS'))).toBe(true);
    expect(callbot.config?.Labels?.['org.opencontainers.image.revision']).toBe(sha);
    const chatbot = await registryImageConfig(docker.registry, 'ecp-ai/chatbot', tag);
    expect(chatbot.config?.Labels?.['org.opencontainers.image.revision']).toBe(sha);
  });

  it('prints progress to stderr, one line per step, prefixed with the service name', () => {
    const lines = firstRun.stderr.split('\n');
    expect(lines.some((l) => /^callbot \| Step \d+\/\d+ : RUN /.test(l))).toBe(true);
    expect(lines.some((l) => /^chatbot \| Step \d+\/\d+ : FROM scratch/.test(l))).toBe(true);
    expect(lines.some((l) => /^chatbot \| pushed sha256:[a-f0-9]{64}$/.test(l))).toBe(true);
  });

  it('a second build with no change reuses the cache and registers nothing new', async () => {
    const again = await runEcp(['build', '--json'], { cwd: repo, env: docker.env, timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    const results = JSON.parse(again.stdout) as Result[];
    expect(results.map((r) => [r.service, r.outcome, r.versionId, r.digest])).toEqual(first.map((r) => [r.service, 'unchanged', r.versionId, r.digest]));
    const listed = JSON.parse((await runEcp(['versions', 'list', 'callbot', '--json'], { cwd: repo, env: docker.env })).stdout);
    expect(listed).toHaveLength(1);
  });

  it('a feature branch gets dev-<branch>-<sha7>; credentials in the environment are never printed or stored', async () => {
    git(repo, 'checkout', '-q', '-b', 'Feature/Login_Page');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'feature work');
    const featureSha = git(repo, 'rev-parse', 'HEAD');
    const secret = 'pa55-w0rd-never-shown-7f3a';
    const run = await runEcp(['build', 'chatbot', '--json'], {
      cwd: repo,
      env: { ...docker.env, DOCKER_USERNAME: 'ci-robot', DOCKER_PASSWORD: secret, DEBUG: '1' },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as Result[];
    expect(result).toMatchObject({ service: 'chatbot', outcome: 'pushed', tag: `dev-feature-login-page-${featureSha.slice(0, 7)}` });
    expect(await registryTags(docker.registry, 'ecp-ai/chatbot')).toContain(result!.tag);
    expect(run.stdout + run.stderr).not.toContain(secret);
    for (const file of filesUnder(path.join(repo, 'data'))) expect(readFileSync(file, 'utf8')).not.toContain(secret);
    git(repo, 'checkout', '-q', 'main');
  });

  it('versions list --check-registry marks a registered tag that the registry does not have', async () => {
    const missing = `${docker.registry}/ecp-ai/callbot:never-pushed-${sha.slice(0, 7)}`;
    const registered = await runEcp(
      [
        'versions',
        'register',
        '--json',
        JSON.stringify({
          service_name: 'callbot',
          image_name: `${docker.registry}/ecp-ai/callbot`,
          image_tag: `never-pushed-${sha.slice(0, 7)}`,
          full_image_name: missing,
          git_commit: sha,
          git_branch: 'main',
        }),
      ],
      { cwd: repo, env: docker.env },
    );
    expect(registered.code, registered.stderr).toBe(0);
    const checked = await runEcp(['versions', 'list', 'callbot', '--check-registry', '--json'], { cwd: repo, env: docker.env });
    expect(checked.code).toBe(1);
    const rows = JSON.parse(checked.stdout) as { fullImageName: string; registry: string }[];
    expect(Object.fromEntries(rows.map((r) => [r.fullImageName, r.registry]))).toEqual({
      [missing]: 'missing',
      [first[0]!.image]: 'present',
    });
    const text = await runEcp(['versions', 'list', 'callbot', '--check-registry'], { cwd: repo, env: docker.env });
    expect(text.stdout).toMatch(/never-pushed-\w+ .* MISSING/);
  });
});
