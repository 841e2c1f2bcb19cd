/** Writers stopped at a named point of a store write (ECP_TEST_CRASH_AT, source/store/crash-points.ts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ecpBin, repoRoot, runEcp, runEcpInProcess, type EcpResult } from '../helpers/run-ecp.js';

export const body = (tag: string, service = 'callbot') =>
  JSON.stringify({ service_name: service, image_name: service, image_tag: tag, full_image_name: `localhost:5000/ecp-ai/${service}:${tag}`, git_commit: 'abc1234', git_branch: 'main' });

const registerArgs = (dataDir: string, tag: string) => ['--data-dir', dataDir, 'versions', 'register', '--data', body(tag)];

/** A registration by the real binary: the writer under test (killed, paused, failing), and what reaches its stderr (the store's recovery notes). */
export const register = (dataDir: string, tag: string, env: NodeJS.ProcessEnv = {}) => runEcp(registerArgs(dataDir, tag), { env });

/** The same registration in the test's process: for the set-up and checks around the writer under test. */
export const registerInProcess = (dataDir: string, tag: string, env: NodeJS.ProcessEnv = {}) => runEcpInProcess(registerArgs(dataDir, tag), { env });

export interface Paused {
  child: ChildProcess;
  /** Resolves with the result once the process exits (after SIGCONT). */
  result: Promise<EcpResult>;
}

/** Starts `ecp args` with ECP_TEST_CRASH_AT=<point>:stop and resolves once it has stopped itself there. */
export function startPausedAt(point: string, args: string[]): Promise<Paused> {
  const child = spawn(process.execPath, [ecpBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ECP_TEST_CRASH_AT: `${point}:stop` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const result = new Promise<EcpResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`ecp-test: stop at ${point}`)) resolve({ child, result });
    });
    void result.then((r) => reject(new Error(`ecp exited (${r.code}) before reaching ${point}: ${r.stderr}`)));
  });
}

export function auditLines(dataDir: string): { action: string; target: string; details: Record<string, unknown> }[] {
  try {
    return readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

export function storeVersions(dataDir: string): { id: string; imageTag: string }[] {
  return JSON.parse(readFileSync(path.join(dataDir, 'store.json'), 'utf8')).versions;
}

export const verify = (dataDir: string, ...extra: string[]) => runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify', ...extra]);
