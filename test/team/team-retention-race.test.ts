/**
 * Two writers archive records of one service at once (issue 16): the first has committed its
 * unit (its records moved to the archive object, by an append) and is paused before it rolls the
 * unit forward; the second commits its own append to the same archive object meanwhile. Both
 * archived records must be in the archive after: an append based on the archive as it was
 * before the first's would otherwise make the first's look applied already, and lose it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerVersion } from '../../source/pipeline/versions.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { scenario, type Scenario } from '../helpers/scenario.js';
import { openTeamStore, teamCore } from '../helpers/team-store.js';
import { waitUntil } from '../helpers/wait.js';

const input = (tag: string) => ({ serviceName: 'callbot', imageName: 'callbot', imageTag: tag, fullImageName: `localhost:5000/ecp-ai/callbot:${tag}`, gitCommit: 'abc1234', gitBranch: 'main' });
const body = (tag: string) => JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: tag, full_image_name: input(tag).fullImageName, git_commit: 'abc1234', git_branch: 'main' });

describeTargets('records archived by two writers at once (issue 16)', (kind) => {
  let s: Scenario;
  const namespace = `ecp-store-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    s = await scenario(undefined, `store:\n  backend: kubernetes\n  namespace: ${namespace}\nhistory:\n  keepPerService: 3\n`, kind);
    expect((await s.target.kubectl(['create', 'namespace', namespace])).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await s?.stop();
  }, 180_000);

  it('keeps both in the archive when the first pauses between its commit and its roll forward', async () => {
    const other = teamCore(openTeamStore(s.target, namespace, 3), 'ops2@example.com');
    for (const tag of ['v0', 'v1', 'v2', 'v3']) await registerVersion(other, input(tag));
    // v4 archives v1, and its writer stops right after its commit.
    const first = spawn(process.execPath, [ecpBin, 'versions', 'register', '--data', body('v4')], {
      cwd: s.repo,
      env: { ...process.env, ...s.env, NO_COLOR: '1', ECP_TEST_CRASH_AT: 'unit-committed:stop' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await waitUntil(() => stderr.includes('ecp-test: stop at unit-committed') || first.exitCode !== null, 'the first writer paused after its commit', 60_000);
    expect(first.exitCode, stderr).toBeNull();
    // v5 archives v2 into the same archive object meanwhile.
    await registerVersion(other, input('v5'));
    first.kill('SIGCONT');
    expect(await exited, stderr).toBe(0);

    const reader = openTeamStore(s.target, namespace, 3);
    expect((await reader.read()).versions.map((v) => v.imageTag).sort()).toEqual(['v3', 'v4', 'v5']);
    expect((await reader.archivedVersions('callbot')).map((v) => v.imageTag).sort()).toEqual(['v0', 'v1', 'v2']);
    expect(await reader.audit.verify()).toMatchObject({ ok: true, count: 6 });
  }, 240_000);
});
