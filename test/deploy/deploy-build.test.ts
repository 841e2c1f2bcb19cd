import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeDocker } from '../helpers/docker-env.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { git } from '../helpers/temp.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

describeDocker('deploy with a real build', (docker) => {
  it('builds, pushes and registers the service, then updates, validates, applies, waits and tags', async () => {
    const s = await scenario(docker.registry, 'services:\n  - name: chatbot\n    context: services/chatbot\n');
    open.push(s);
    cpSync(path.join(repoRoot, 'services', 'chatbot'), path.join(s.repo, 'services', 'chatbot'), { recursive: true });
    git(s.repo, 'add', '.');
    git(s.repo, 'commit', '-qm', 'chatbot sources');
    const built = git(s.repo, 'rev-parse', 'HEAD');
    const sha = built.slice(0, 7);
    const result = await runEcp(['deploy', 'test-download', '--service', 'chatbot', '--timeout', '60s', '--json'], { cwd: s.repo, env: { ...s.env, ...docker.env } });
    expect(result.stderr).toMatch(/\[build\] chatbot: /);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.built).toMatchObject([{ service: 'chatbot', outcome: 'pushed', tag: `stable-${sha}` }]);
    expect(doc.records[0]).toMatchObject({ serviceName: 'chatbot', status: 'succeeded', toImage: `localhost:5000/ecp-ai/chatbot:stable-${sha}` });
    expect(readFileSync(s.manifest('test-download', 'chatbot.yaml'), 'utf8')).toContain(`image: localhost:5000/ecp-ai/chatbot:stable-${sha}`);
    expect(await s.liveImage('test-download', 'chatbot')).toBe(`localhost:5000/ecp-ai/chatbot:stable-${sha}`);
    const version = (await s.core.store.read()).versions.find((v) => v.imageTag === `stable-${sha}`);
    expect(version).toMatchObject({ serviceName: 'chatbot', status: 'pushed', gitCommit: built });
    // The deploy's own commit (the manifest change) and tag come after the build.
    expect(git(s.repo, 'log', '-1', '--format=%s')).toMatch(/^deploy test-download/);
    expect(git(s.repo, 'tag', '--list')).toBe(doc.gitTag);
    expect(version?.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  });
});
