/** Temp folders and real git repositories for tests; removed after the test file ends. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'ecp-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export const gitEnv = {
  GIT_AUTHOR_NAME: 'Test Operator',
  GIT_AUTHOR_EMAIL: 'operator@example.test',
  GIT_COMMITTER_NAME: 'Test Operator',
  GIT_COMMITTER_EMAIL: 'operator@example.test',
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
}

/** A real repository with one commit on `branch`, and user.email set. */
export function gitRepo(branch = 'main'): string {
  const dir = tempDir('ecp-repo-');
  git(dir, 'init', '-q', '-b', branch);
  git(dir, 'config', 'user.email', 'operator@example.test');
  git(dir, 'config', 'user.name', 'Test Operator');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'initial');
  return dir;
}
