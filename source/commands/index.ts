/** Every headless command. Add a command by adding it to this list. */
import type { Command } from './command.js';
import { imageTagCommand } from './image-tag.js';
import { versionsCommands } from './versions.js';
import { tenantCommands } from './tenants.js';
import { updateManifestsCommand } from './update-manifests.js';
import { buildCommand } from './build.js';
import { validateCommand } from './validate.js';
import { scanCommand } from './scan.js';
import { sandboxCommand } from './sandbox.js';
import { tagCommand } from './tag.js';

export const commands: Command[] = [imageTagCommand, ...versionsCommands, ...tenantCommands, updateManifestsCommand, buildCommand, validateCommand, scanCommand, sandboxCommand, tagCommand];

/** Global flags that take a value: the word after them is not a command word. */
const GLOBAL_VALUE_FLAGS = new Set(['--config', '--data-dir', '--context', '--tenant']);

/** Indexes of the first two positional words, skipping global flags and their values. */
function leadingWords(args: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < args.length && found.length < 2; i += 1) {
    const arg = args[i]!;
    if (arg.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(arg)) i += 1;
      continue;
    }
    found.push(i);
  }
  return found;
}

export function findCommand(args: readonly string[]): { command: Command; rest: string[] } | undefined {
  const [first, second] = leadingWords(args);
  if (first === undefined) return undefined;
  const two = second !== undefined ? commands.find((c) => c.name === `${args[first]} ${args[second]}`) : undefined;
  const command = two ?? commands.find((c) => c.name === args[first]);
  if (!command) return undefined;
  const drop = new Set(two ? [first, second] : [first]);
  return { command, rest: args.filter((_, i) => !drop.has(i)) };
}

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'ecp — the ECP-AI deploy console',
    '',
    'Usage',
    '  ecp [--sandbox] [--readonly]          open the console',
    '  ecp --once [--tenant T] [--json]      print the status of every tenant and exit 0/1/2',
    '  ecp <command> [options]               run one operation headless',
    '',
    'Commands',
    ...lines,
    '',
    'Global options',
    '  --config FILE      config file (default ./ecp.config.yaml when present)',
    '  --data-dir DIR     the JSON store folder (default ./data, or ECP_DATA_DIR)',
    '  --context NAME     kubeconfig context',
    '  --json             print data as JSON',
    '  --readonly         refuse every mutating command',
    '',
    'Run `ecp <command> --help` for the options of one command.',
  ].join('\n');
}
