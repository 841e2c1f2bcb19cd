/** The `ecp` entry point: parses flags, dispatches to a headless command or opens the console. */
import meow, { type AnyFlags } from 'meow';
import { loadConfig } from './config.js';
import { printableMessage } from './domain/printable.js';
import { EcpError, errorMessage, fsProblem, isFsError } from './errors.js';
import { debug } from './log.js';
import type { CommandContext } from './commands/command.js';
import { findCommand, helpText } from './commands/index.js';
import { guardCommand } from './commands/guard.js';
import { currentActor } from './adapters/identity.js';

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
} satisfies AnyFlags;

const flagName = (key: string) => (key.length === 1 ? `-${key}` : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

/** meow's parse, with its refusals (an unknown flag, a flag given twice) as one sentence of ours. */
function parse(argv: string[], flags: AnyFlags) {
  const known = { ...globalFlags, ...flags };
  let cli;
  try {
    cli = meow({
      importMeta: import.meta,
      argv,
      flags: known,
      autoHelp: false,
      autoVersion: false,
      // Checked below: meow would print two lines of its own and exit.
      allowUnknownFlags: true,
      booleanDefault: undefined,
    });
  } catch (error) {
    throw new EcpError(`${errorMessage(error).replace(/\.$/, '')}.`);
  }
  const unknown = Object.keys(cli.flags).filter((key) => !(key in known));
  if (unknown.length > 0) {
    throw new EcpError(`Unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.map(flagName).join(', ')}; \`ecp --help\` lists the commands and \`ecp <command> --help\` their flags.`);
  }
  return cli;
}

async function commandContext(cli: ReturnType<typeof parse>): Promise<CommandContext> {
  const loaded = loadConfig({
    cwd: process.cwd(),
    env: process.env,
    configPath: cli.flags.config as string | undefined,
    dataDir: cli.flags.dataDir as string | undefined,
    kubeContext: cli.flags.context as string | undefined,
    readOnly: cli.flags.readonly === true,
  });
  // `--sandbox` on the default data dir runs on a demo store of its own, never the user's data/.
  const dataDirChosen = Boolean(cli.flags.dataDir || process.env.ECP_DATA_DIR);
  const demo = cli.flags.sandbox === true ? await (await import('./pipeline/demo-store.js')).demoStoreFor(loaded, process.cwd(), dataDirChosen) : undefined;
  const config = demo?.config ?? loaded;
  return {
    demoImages: demo?.images,
    config,
    input: cli.input,
    flags: cli.flags as Record<string, unknown>,
    io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The full-screen console (loaded only here, so headless commands never load Ink or React). */
async function openConsole(ctx: CommandContext): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new EcpError('The console needs a terminal; in scripts use `ecp --once` or a command (`ecp --help` lists them).');
  }
  // React's development build is several times slower and bigger: the console runs the production one.
  process.env.NODE_ENV ??= 'production';
  (await import('./ui/memory.js')).favourMemoryOverThroughput();
  // Ink draws nothing but the last frame when CI is set (is-in-ci, read when Ink loads); this is
  // a terminal, so hide CI from it while it loads.
  const ci = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  for (const key of Object.keys(ci)) if (process.env[key] !== undefined) process.env[key] = 'false';
  const [{ createCore }, { runConsole }] = await Promise.all([import('./core.js'), import('./ui/index.js')]).finally(() => {
    for (const [key, value] of Object.entries(ci)) if (value !== undefined) process.env[key] = value;
  });
  // The cluster (and a sandbox, and the Kubernetes client) opens once the first frame is drawn.
  const code = await runConsole(createCore(ctx.config), {
    cluster: async () => (await import('./commands/cluster-option.js')).openCluster(ctx),
    tenant: ctx.flags.tenant as string | undefined,
  });
  // A step the operator chose to abandon may still hold the event loop: the console is done.
  process.exit(code);
}

async function main(argv: string[]): Promise<number> {
  const found = await findCommand(argv);
  if (!found) {
    const cli = parse(argv, {});
    if (cli.flags.version) {
      process.stdout.write(`${cli.pkg.version ?? 'unknown'}\n`);
      return 0;
    }
    if (cli.input.length > 0) {
      throw new EcpError(`Unknown command "${cli.input.join(' ')}". Run \`ecp --help\` for the list.`);
    }
    if (cli.flags.help) {
      process.stdout.write(`${await helpText()}\n`);
      return 0;
    }
    // No command: `ecp --once` prints the status once; plain `ecp` opens the console.
    const ctx = await commandContext(cli);
    if (cli.flags.once) return (await import('./commands/once.js')).onceCommand.run(ctx);
    return openConsole(ctx);
  }
  const { command, rest } = found;
  const cli = parse(rest, command.flags ?? {});
  if (cli.flags.help) {
    process.stdout.write(`${command.summary}\n\nUsage\n${command.usage}\n`);
    return 0;
  }
  const ctx = await commandContext(cli);
  debug('cli', `command "${command.name}", config ${ctx.config.configFile ?? '(none)'}, data ${ctx.config.dataDir}`);
  await guardCommand(command, ctx, () => currentActor(ctx.config.baseDir));
  return command.run(ctx);
}

// `ecp ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof EcpError) {
    process.stderr.write(`ecp: ${printableMessage(error.message)}\n`);
    process.exitCode = error.exitCode;
  } else if (isFsError(error)) {
    // A file-system error no layer below translated: say what it means for the file.
    process.stderr.write(`ecp: ${printableMessage(fsProblem(error, error.path ?? 'a file'))}.\n`);
    debug('cli', error.stack ?? '');
    process.exitCode = 2;
  } else {
    process.stderr.write(`ecp: unexpected error: ${printableMessage(errorMessage(error))}\n`);
    debug('cli', error instanceof Error ? (error.stack ?? '') : '');
    process.exitCode = 2;
  }
}
