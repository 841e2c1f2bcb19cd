/**
 * Failures of `ecp build`: a broken Dockerfile fails only its service (real engine), and the
 * usage errors that need no engine: none reachable, unknown service names, nothing configured.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDocker, registryTags } from '../helpers/docker-env.js';
import { runEcp, runEcpInProcess } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';
import { serviceRepo } from './service-repo.js';

function auditActions(repo: string): { action: string; target: string; details: Record<string, unknown> }[] {
  return readFileSync(path.join(repo, 'data', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describeDocker('a build that fails', (docker) => {
  it('fails only that service: the other is pushed and registered, exit 1 names the failed one', async () => {
    const repo = serviceRepo({
      registry: docker.registry,
      baseImage: docker.baseImage,
      services: [
        // First in the list and --concurrency 1: the next build still runs after it fails.
        { name: 'advisor', dockerfile: 'ARG BASE\nFROM ${BASE}\nRUN echo "rules do not compile" >&2; exit 3\n' },
        'chatbot',
      ],
    });
    const sha7 = git(repo, 'rev-parse', '--short=7', 'HEAD');
    const run = await runEcp(['build', '--concurrency', '1', '--json'], { cwd: repo, env: docker.env, timeoutMs: 60_000 });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ecp: the build of advisor failed.');
    expect(run.stderr).toMatch(/advisor \| .*returned a non-zero code: 3/);
    expect(run.stderr).toMatch(/advisor \| +rules do not compile/);
    const results = JSON.parse(run.stdout) as { service: string; outcome: string; versionId?: string }[];
    expect(results.map((r) => [r.service, r.outcome])).toEqual([
      ['advisor', 'failed'],
      ['chatbot', 'pushed'],
    ]);
    // Sequential: chatbot started only once advisor had failed.
    const lines = run.stderr.split('\n');
    expect(lines.findIndex((l) => l.startsWith('chatbot | building'))).toBeGreaterThan(lines.findIndex((l) => l.startsWith('advisor | Building')));

    expect(await registryTags(docker.registry, 'ecp-ai/chatbot')).toContain(`stable-${sha7}`);
    expect(await registryTags(docker.registry, 'ecp-ai/advisor')).not.toContain(`stable-${sha7}`);
    const advisorVersions = await runEcpInProcess(['versions', 'list', 'advisor', '--json'], { cwd: repo, env: docker.env });
    expect(JSON.parse(advisorVersions.stdout)).toEqual([]);
    const chatbotVersions = JSON.parse((await runEcpInProcess(['versions', 'list', 'chatbot', '--json'], { cwd: repo, env: docker.env })).stdout);
    expect(chatbotVersions.map((v: { id: string }) => v.id)).toEqual([results[1]!.versionId]);

    const audit = auditActions(repo);
    expect(audit.find((e) => e.action === 'build.failed')).toMatchObject({ target: 'advisor' });
    expect(audit.find((e) => e.action === 'version.register')).toMatchObject({ target: results[1]!.versionId });
  });

  it('--no-push builds the image but neither pushes nor registers it', async () => {
    const repo = serviceRepo({ registry: docker.registry, baseImage: docker.baseImage, services: ['chatbot'] });
    const sha7 = git(repo, 'rev-parse', '--short=7', 'HEAD');
    const run = await runEcp(['build', '--no-push', '--json'], { cwd: repo, env: docker.env, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject([{ service: 'chatbot', outcome: 'built', tag: `stable-${sha7}` }]);
    expect(await registryTags(docker.registry, 'ecp-ai/chatbot')).not.toContain(`stable-${sha7}`);
    const listed = await runEcpInProcess(['versions', 'list', 'chatbot', '--json'], { cwd: repo, env: docker.env });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});

describe('ecp build usage errors (exit 2, nothing built)', () => {
  function repoWithServices(): string {
    const repo = gitRepo('main');
    writeFileSync(path.join(repo, 'ecp.config.yaml'), 'services:\n  - name: chatbot\n    context: svc/chatbot\n  - name: callbot\n    context: svc/callbot\n');
    for (const name of ['chatbot', 'callbot']) {
      const dir = path.join(repo, 'svc', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    }
    return repo;
  }

  it('no engine reachable: one sentence naming DOCKER_HOST', async () => {
    const repo = repoWithServices();
    const socket = path.join(tempDir(), 'no-engine.sock');
    const run = await runEcpInProcess(['build'], { cwd: repo, env: { DOCKER_HOST: `unix://${socket}` } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`ecp: No Docker engine answers at unix://${socket} (DOCKER_HOST): ENOENT; start one or point DOCKER_HOST at it.`);
  });

  it('unknown service names are named, with the configured ones', async () => {
    const repo = repoWithServices();
    const run = await runEcpInProcess(['build', 'chatbot', 'voicebot', 'mailbot'], { cwd: repo, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Services "voicebot", "mailbot" are not in the \`services:\` list of ${path.join(repo, 'ecp.config.yaml')}`);
    expect(run.stderr).toContain('(configured: chatbot, callbot)');
  });

  it('no services configured: names ecp.config.yaml and its services: list', async () => {
    const repo = gitRepo('main');
    const run = await runEcpInProcess(['build'], { cwd: repo });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No services are configured to build: add a `services:` list to ecp\.config\.yaml/);
  });

  it('a bad --concurrency or a missing Dockerfile is refused before any build', async () => {
    const repo = repoWithServices();
    const bad = await runEcpInProcess(['build', '--concurrency', '0'], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency must be a whole number of at least 1');
    writeFileSync(path.join(repo, 'ecp.config.yaml'), 'services:\n  - name: chatbot\n    context: svc/chatbot\n    dockerfile: Missing.Dockerfile\n');
    const missing = await runEcpInProcess(['build'], { cwd: repo });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`The Dockerfile of service chatbot, ${path.join(repo, 'svc', 'chatbot', 'Missing.Dockerfile')}, does not exist.`);
  });
});
