/** Runs the real `ecp` binary (bin/ecp.js) as an operator would, and captures what it printed. */
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ecpBin = path.join(repoRoot, 'bin', 'ecp.js');

export interface EcpResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface EcpOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  timeoutMs?: number;
}

export function runEcp(args: string[], options: EcpOptions = {}): Promise<EcpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ecpBin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Collects what a command writes to one of its streams. */
class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs a command line in this process, as `runEcp` runs it in a child: the same parsing, dispatch,
 * messages and exit codes, without Node's start and the bundle's load for each call. For tests of
 * what a command does; the tests of the binary itself (start-up, signals, the console, stderr
 * written outside the command's streams) use runEcp. Calls run one at a time: process.env and
 * the working folder are the command's while it runs.
 */
export function runEcpInProcess(args: string[], options: EcpOptions = {}): Promise<EcpResult> {
  const run = async (): Promise<EcpResult> => {
    const { runCommandLine } = await import('../../source/command-line.js');
    const stdout = new Collected();
    const stderr = new Collected();
    const env = { ...process.env, NO_COLOR: '1', ...options.env };
    const cwd = options.cwd ?? repoRoot;
    const saved = { env: process.env, cwd: process.cwd() };
    process.env = env;
    process.chdir(cwd);
    try {
      const code = await runCommandLine(args, { io: { stdout, stderr, stdin: Readable.from([options.stdin ?? '']) }, env, cwd }, async () => {
        throw new Error('runEcpInProcess runs headless commands only: use runEcp for the console');
      });
      return { code, stdout: stdout.text, stderr: stderr.text };
    } finally {
      process.env = saved.env;
      process.chdir(saved.cwd);
    }
  };
  const result = inProcessQueue.then(run, run);
  inProcessQueue = result.catch(() => undefined);
  return result;
}
