/**
 * Every headless command, by name, with the module that holds it. Modules load only when their
 * command runs, so `ecp versions list` does not load the Kubernetes or Docker clients.
 * Add a command by adding its names and module here.
 */
import type { Command } from './command.js';

interface CommandModule {
  names: string[];
  load: () => Promise<Command | Command[]>;
}

export const commandModules: CommandModule[] = [
  { names: ['image-tag'], load: async () => (await import('./image-tag.js')).imageTagCommand },
  { names: ['versions register', 'versions list', 'versions status', 'versions show'], load: async () => (await import('./versions.js')).versionsCommands },
  { names: ['tenants', 'services'], load: async () => (await import('./tenants.js')).tenantCommands },
  { names: ['build'], load: async () => (await import('./build.js')).buildCommand },
  { names: ['scan'], load: async () => (await import('./scan.js')).scanCommand },
  { names: ['update-manifests'], load: async () => (await import('./update-manifests.js')).updateManifestsCommand },
  { names: ['validate'], load: async () => (await import('./validate.js')).validateCommand },
  { names: ['tag'], load: async () => (await import('./tag.js')).tagCommand },
  { names: ['apply'], load: async () => (await import('./apply.js')).applyCommand },
  { names: ['deploy'], load: async () => (await import('./deploy.js')).deployCommand },
  { names: ['rollback'], load: async () => (await import('./rollback.js')).rollbackCommand },
  { names: ['history'], load: async () => (await import('./history.js')).historyCommand },
  { names: ['health'], load: async () => (await import('./deploy-metrics.js')).healthCommand },
  { names: ['monitor'], load: async () => (await import('./monitor.js')).monitorCommand },
  { names: ['approvals', 'approve', 'reject'], load: async () => (await import('./approvals.js')).approvalCommands },
  { names: ['audit', 'audit verify', 'audit repair'], load: async () => (await import('./audit.js')).auditCommands },
  { names: ['store migrate', 'store status'], load: async () => (await import('./store.js')).storeCommands },
  { names: ['serve', 'serve token'], load: async () => (await import('./serve.js')).serveCommands },
  { names: ['sandbox'], load: async () => (await import('./sandbox.js')).sandboxCommand },
];

const commandNames = commandModules.flatMap((m) => m.names);

async function loadCommand(name: string): Promise<Command> {
  const loaded = await commandModules.find((m) => m.names.includes(name))!.load();
  return (Array.isArray(loaded) ? loaded : [loaded]).find((c) => c.name === name)!;
}

/** Every command, loaded (for help). */
export async function allCommands(): Promise<Command[]> {
  return (await Promise.all(commandModules.map((m) => m.load()))).flat();
}

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

export async function findCommand(args: readonly string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const [first, second] = leadingWords(args);
  if (first === undefined) return undefined;
  const twoWords = second !== undefined ? `${args[first]} ${args[second]}` : undefined;
  const name = twoWords && commandNames.includes(twoWords) ? twoWords : args[first]!;
  if (!commandNames.includes(name)) return undefined;
  const drop = new Set(name === twoWords ? [first, second] : [first]);
  return { command: await loadCommand(name), rest: args.filter((_, i) => !drop.has(i)) };
}

export async function helpText(): Promise<string> {
  const commands = await allCommands();
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
