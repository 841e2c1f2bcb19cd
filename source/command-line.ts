/** A command line: parses flags, dispatches to a headless command, `--once`, help or the console. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printableMessage } from './domain/printable.js';
import { EcpError, errorMessage, fsProblem, isFsError, NotInQuickBundle } from './errors.js';
import { debug } from './log.js';
import { parseArgv, type FlagSpecs, type ParsedArgv } from './commands/argv.js';
import type { CommandContext, CommandIO } from './commands/command.js';
import { findCommand, helpText } from './commands/index.js';
import { guardCommand } from './commands/guard.js';
import { currentActor } from './adapters/identity.js';

/** Where a command line runs: its streams, environment and working folder. */
export interface CommandHost {
  io: CommandIO;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const globalFlags = {
  config: { type: 'string' },
  dataDir: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean', default: false },
  readonly: { type: 'boolean', default: false },
  sandbox: { type: 'boolean', default: false },
  once: { type: 'boolean', default: false },
  tenant: { type: 'string' },
  help: { type: 'boolean', default: false, shortFlag: 'h' },
  version: { type: 'boolean', default: false },
} satisfies FlagSpecs;

/** The global flags and the command's own (which win where both name one). */
const parse = (argv: string[], flags: FlagSpecs) => parseArgv(argv, { ...globalFlags, ...flags });

/** ecp's version: the package.json nearest above this module (source/ or the bundle under dist/). */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      if (path.dirname(dir) === dir) return 'unknown';
    }
  }
}

async function commandContext(cli: ParsedArgv, host: CommandHost): Promise<CommandContext> {
  // Loaded here, not at start-up: `--help` needs neither the config's YAML parser nor its schema, nor a store.
  const [{ loadConfig }, { loadStoreBackend }] = await Promise.all([import('./config.js'), import('./store/open.js')]);
  const loaded = loadConfig({
    cwd: host.cwd,
    env: host.env,
    configPath: cli.flags.config as string | undefined,
    dataDir: cli.flags.dataDir as string | undefined,
    kubeContext: cli.flags.context as string | undefined,
    readOnly: cli.flags.readonly === true,
  });
  // Before the demo store is made: the quick bundle has no team store, and declines here (NotInQuickBundle).
  await loadStoreBackend(loaded.store.backend);
  // `--sandbox` on the default data dir runs on a demo store of its own, never the user's data/.
  const dataDirChosen = Boolean(cli.flags.dataDir || host.env.ECP_DATA_DIR);
  const demo = cli.flags.sandbox === true ? await (await import('./pipeline/demo-store.js')).demoStoreFor(loaded, host.cwd, dataDirChosen) : undefined;
  const config = demo?.config ?? loaded;
  return {
    demoImages: demo?.images,
    config,
    input: cli.input,
    flags: cli.flags as Record<string, unknown>,
    io: host.io,
    env: host.env,
    cwd: host.cwd,
  };
}

/**
 * Opens the console on the context it is given. It makes the context itself (the config read,
 * maybe a demo store), so that a bundle without the console declines before that.
 */
export type ConsoleOpener = (context: () => Promise<CommandContext>) => Promise<number>;

async function main(argv: string[], host: CommandHost, openConsole: ConsoleOpener): Promise<number> {
  const found = await findCommand(argv);
  if (!found) {
    const cli = parse(argv, {});
    if (cli.flags.version) {
      host.io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (cli.input.length > 0) {
      throw new EcpError(`Unknown command "${cli.input.join(' ')}". Run \`ecp --help\` for the list.`);
    }
    if (cli.flags.help) {
      host.io.stdout.write(`${helpText()}\n`);
      return 0;
    }
    // No command: `ecp --once` prints the status once; plain `ecp` opens the console. Their
    // modules load before the context is made, as the quick bundle declines them (NotInQuickBundle).
    if (cli.flags.once) {
      const { onceCommand } = await import('./commands/once.js');
      return onceCommand.run(await commandContext(cli, host));
    }
    return openConsole(() => commandContext(cli, host));
  }
  const { command, summary, rest } = found;
  const cli = parse(rest, command.flags ?? {});
  if (cli.flags.help) {
    host.io.stdout.write(`${summary}\n\nUsage\n${command.usage}\n`);
    return 0;
  }
  const ctx = await commandContext(cli, host);
  debug('cli', `command "${command.name}", config ${ctx.config.configFile ?? '(none)'}, data ${ctx.config.dataDir}`);
  await guardCommand(command, ctx, () => currentActor(ctx.config.baseDir));
  return command.run(ctx);
}

/**
 * Runs one command line (a command, `--once`, help, or the console through `openConsole`) and
 * returns its exit code; errors a user can cause are one sentence on stderr. The binary runs it
 * on its own process; tests run commands with it in-process where a process is not what they test.
 */
export async function runCommandLine(argv: string[], host: CommandHost, openConsole: ConsoleOpener): Promise<number> {
  const { stderr } = host.io;
  try {
    return await main(argv, host, openConsole);
  } catch (error) {
    if (error instanceof NotInQuickBundle) throw error; // for bin/ecp.js, which runs the full bundle
    if (error instanceof EcpError) {
      stderr.write(`ecp: ${printableMessage(error.message)}\n`);
      return error.exitCode;
    }
    if (isFsError(error)) {
      // A file-system error no layer below translated: say what it means for the file.
      stderr.write(`ecp: ${printableMessage(fsProblem(error, error.path ?? 'a file'))}.\n`);
      debug('cli', error.stack ?? '');
      return 2;
    }
    stderr.write(`ecp: unexpected error: ${printableMessage(errorMessage(error))}\n`);
    debug('cli', error instanceof Error ? (error.stack ?? '') : '');
    return 2;
  }
}

/** Runs the command line of this process (the binary's entries: source/cli.tsx, source/cli-quick.ts). */
export async function runThisProcess(openConsole: ConsoleOpener): Promise<number> {
  // `ecp ... | head` closes stdout early: that is the reader's choice, not an error.
  const closedEarly = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  };
  process.stdout.on('error', closedEarly);
  try {
    return await runCommandLine(process.argv.slice(2), { io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, env: process.env, cwd: process.cwd() }, openConsole);
  } catch (error) {
    process.stdout.off('error', closedEarly); // NotInQuickBundle: the full bundle's entry listens instead
    throw error;
  }
}
