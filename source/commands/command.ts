/** The shape every headless command has, and the small helpers they share for output. */
import type { Config } from '../config.js';
import type { FlagSpecs } from './argv.js';
import type { Role } from '../domain/roles.js';
import { escapeControl } from '../domain/printable.js';

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface CommandContext {
  config: Config;
  /** Positional arguments after the command name. */
  input: string[];
  /** Parsed flags: the command's own and the global ones. */
  flags: Record<string, unknown>;
  io: CommandIO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** With `--sandbox` on the demo store: the images its registry is to hold. */
  demoImages?: readonly string[];
}

export interface Command {
  /** One or two words: `validate`, `versions register`. */
  name: string;
  /** Usage lines shown by `ecp <command> --help`. */
  usage: string;
  flags?: FlagSpecs;
  /** Changes something (store, files, git, registry or cluster): refused in read-only mode. */
  mutating?: boolean | ((ctx: CommandContext) => boolean);
  /** The role needed to run it (when it is mutating, for operators). */
  role?: Role;
  /** Returns the exit code; user errors are thrown as EcpError. */
  run(ctx: CommandContext): Promise<number>;
}

export function println(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

export function printJson(ctx: CommandContext, value: unknown): void {
  println(ctx.io.stdout, JSON.stringify(value, null, 2));
}

/** Left-aligned text columns for plain-text tables. */
export function formatColumns(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
