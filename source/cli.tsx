/** The full bundle's entry (bin/ecp.js): runs the command line on this process, or opens the console. */
import { EcpError } from './errors.js';
import type { CommandContext } from './commands/command.js';
import { runThisProcess } from './command-line.js';

/** The full-screen console (loaded only here, so headless commands never load Ink or React). */
async function openConsole(context: () => Promise<CommandContext>): Promise<number> {
  const ctx = await context();
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

process.exitCode = await runThisProcess(openConsole);
