import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEcpInProcess } from '../helpers/run-ecp.js';
import { git, gitRepo, tempDir } from '../helpers/temp.js';

/** A clone of an operator whose git user.email is `email`, with the shared config, and a shared store. */
function workspace(email: string, config: string, dataDir: string): string[] {
  const dir = gitRepo();
  git(dir, 'config', 'user.email', email);
  writeFileSync(path.join(dir, 'ecp.config.yaml'), `${config}dataDir: ${dataDir}\n`);
  return [dir];
}
const body = JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: 'v1', full_image_name: 'localhost:5000/ecp-ai/callbot:v1', git_commit: 'abc1234', git_branch: 'main' });

describe('roles and read-only mode', () => {
  it('lets only listed operators run mutating commands, with a sentence naming the role', async () => {
    const dataDir = tempDir();
    const config = 'operators: [ops@example.test]\napprovers: [lead@example.test]\n';
    const [intern] = workspace('intern@example.test', config, dataDir);
    const [ops] = workspace('ops@example.test', config, dataDir);
    const refused = await runEcpInProcess(['versions', 'register', '--data', body], { cwd: intern });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`ecp: "versions register" needs the operator role: intern@example.test is not listed in operators in ${path.join(intern!, 'ecp.config.yaml')}.\n`);
    expect((await runEcpInProcess(['versions', 'register', '--data', body], { cwd: ops })).code).toBe(0);
    // Reading needs no role.
    expect((await runEcpInProcess(['versions', 'list', 'callbot'], { cwd: intern })).stdout).toMatch(/callbot-v1-/);
    const approve = await runEcpInProcess(['approve', 'apr-1'], { cwd: ops });
    expect(approve.stderr).toMatch(/"approve" needs the approver role: ops@example.test is not listed in approvers/);
  });

  it('refuses every mutating command with --readonly or readOnly: true, and still reads', async () => {
    const dataDir = tempDir();
    for (const args of [
      ['versions', 'register', '--data', body],
      ['versions', 'status', 'x', '--status', 'ready'],
      ['deploy', 'test-download'],
      ['rollback', 'test-download', 'callbot', '--reason', 'x'],
      ['approve', 'apr-1'],
    ]) {
      const result = await runEcpInProcess(['--readonly', '--data-dir', dataDir, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/read-only mode \(--readonly\); ".*" would change something and is refused/);
    }
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ecp.config.yaml'), 'readOnly: true\n');
    const fromFile = await runEcpInProcess(['versions', 'register', '--data', body], { cwd: dir });
    expect(fromFile.stderr).toMatch(/readOnly: true in .*ecp\.config\.yaml/);
    expect((await runEcpInProcess(['versions', 'list', 'callbot'], { cwd: dir })).code).toBe(0);
    expect((await runEcpInProcess(['audit', 'verify'], { cwd: dir })).code).toBe(0);
  });
});
