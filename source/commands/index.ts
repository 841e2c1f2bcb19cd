/**
 * Every headless command: its name and summary, and the module that holds it. Modules load only
 * when their command runs, so `ecp versions list` does not load the Kubernetes or Docker clients,
 * and `ecp --help` loads none of them. Add a command by adding its name, summary and module here.
 */
import type { Command } from './command.js';

interface CommandModule {
  load: () => Promise<Command | Command[]>;
  /** Each command the module holds: its name and the one line `ecp --help` shows for it. */
  commands: [name: string, summary: string][];
}

/** A command found by name, with its summary from the table above. */
export interface FoundCommand {
  command: Command;
  summary: string;
  rest: string[];
}

export const commandModules: CommandModule[] = [
  {
    load: async () => (await import('./image-tag.js')).imageTagCommand,
    commands: [['image-tag', 'print the image tag a build of HEAD would get']],
  },
  {
    load: async () => (await import('./versions.js')).versionsCommands,
    commands: [
      ['versions register', 'register a built image as a new version'],
      ['versions list', 'list the versions of a service, newest first'],
      ['versions status', 'update the status and security-scan fields of a version'],
      ['versions show', 'show one version'],
    ],
  },
  {
    load: async () => (await import('./tenants.js')).tenantCommands,
    commands: [
      ['tenants', 'list the tenants (folders of the manifests directory) and their services'],
      ['services', "list a tenant's services: manifest image, tag, replicas and version state"],
    ],
  },
  {
    load: async () => (await import('./build.js')).buildCommand,
    commands: [['build', 'build, push and register service images']],
  },
  {
    load: async () => (await import('./scan.js')).scanCommand,
    commands: [['scan', 'record a Trivy scan of a version: passed/failed by the gate, ready/blocked']],
  },
  {
    load: async () => (await import('./update-manifests.js')).updateManifestsCommand,
    commands: [['update-manifests', "set services' image tags in tenants' manifests (newest ready version by default)"]],
  },
  {
    load: async () => (await import('./validate.js')).validateCommand,
    commands: [['validate', 'check manifests: YAML, Kubernetes schema, names, namespaces, images; server dry run with a cluster']],
  },
  {
    load: async () => (await import('./tag.js')).tagCommand,
    commands: [['tag', "commit a tenant's changed manifests and create an annotated deploy tag"]],
  },
  {
    load: async () => (await import('./apply.js')).applyCommand,
    commands: [['apply', "server-side apply of a tenant's manifests (field manager ecp)"]],
  },
  {
    load: async () => (await import('./deploy.js')).deployCommand,
    commands: [['deploy', 'build → update manifests → validate → apply → wait for rollout → git tag']],
  },
  {
    load: async () => (await import('./rollback.js')).rollbackCommand,
    commands: [['rollback', 'roll a service back to the previous good version (manifest, git and cluster)']],
  },
  {
    load: async () => (await import('./history.js')).historyCommand,
    commands: [['history', "a tenant's deployment history (deploys and rollbacks), newest first"]],
  },
  {
    load: async () => (await import('./deploy-metrics.js')).healthCommand,
    commands: [['health', 'deployment health metrics per tenant and service: success rate, time to ready, rollbacks']],
  },
  {
    load: async () => (await import('./monitor.js')).monitorCommand,
    commands: [['monitor', 'watch every tenant, keep deployment records current and apply the auto-rollback policy']],
  },
  {
    load: async () => (await import('./approvals.js')).approvalCommands,
    commands: [
      ['approvals', 'list approvals (pending first; --all for decided and expired ones)'],
      ['approve', 'approve a pending deploy or manifest update (not your own)'],
      ['reject', 'reject a pending approval, with a reason'],
    ],
  },
  {
    load: async () => (await import('./audit.js')).auditCommands,
    commands: [
      ['audit', 'list the audit trail, newest last'],
      ['audit verify', 'check the hash chain of the audit trail (and its anchors in git deploy tags); exit 1 naming the first broken line'],
      ['audit repair', 'remove a crash tail from the audit trail (an unfinished or unacknowledged end), keeping it in an audit.repair event'],
    ],
  },
  {
    load: async () => (await import('./store.js')).storeCommands,
    commands: [
      ['store migrate', 'copy every version, record, approval and audit event to the other store backend, ids and audit chain kept'],
      ['store status', 'the store backend, where it is, how many records it holds, and the audit head'],
    ],
  },
  {
    load: async () => (await import('./serve.js')).serveCommands,
    commands: [
      ['serve', "serve the specification's REST API and a live status page (bearer tokens from server.tokens)"],
      ['serve token', 'make a bearer token for ecp serve: prints it once, and the server.tokens line to add'],
    ],
  },
  {
    load: async () => (await import('./sandbox.js')).sandboxCommand,
    commands: [['sandbox', 'run a local Kubernetes API simulator (for kubectl, the console and tests) until Ctrl-C']],
  },
];

const commandSummaries = new Map(commandModules.flatMap((m) => m.commands));
const commandNames = [...commandSummaries.keys()];

async function loadCommand(name: string): Promise<Command> {
  const loaded = await commandModules.find((m) => m.commands.some(([n]) => n === name))!.load();
  return (Array.isArray(loaded) ? loaded : [loaded]).find((c) => c.name === name)!;
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

export async function findCommand(args: readonly string[]): Promise<FoundCommand | undefined> {
  const [first, second] = leadingWords(args);
  if (first === undefined) return undefined;
  const twoWords = second !== undefined ? `${args[first]} ${args[second]}` : undefined;
  const name = twoWords && commandNames.includes(twoWords) ? twoWords : args[first]!;
  if (!commandNames.includes(name)) return undefined;
  const drop = new Set(name === twoWords ? [first, second] : [first]);
  return { command: await loadCommand(name), summary: commandSummaries.get(name)!, rest: args.filter((_, i) => !drop.has(i)) };
}

export function helpText(): string {
  const width = Math.max(...commandNames.map((name) => name.length));
  const lines = [...commandSummaries].map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
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
