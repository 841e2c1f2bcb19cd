/** `ecp versions register | list | status | show` — the specification's versions API, headless. */
import { createCore } from '../core.js';
import { dns1123Problem } from '../domain/names.js';
import { formatDuration } from '../domain/duration.js';
import { escapeControl } from '../domain/printable.js';
import type { ImageVersion } from '../domain/types.js';
import { parseRegisterBody, parseStatusChange, VersionInputError } from '../domain/versions.js';
import { UsageError } from '../errors.js';
import { changeVersionStatus, readVersionBodyFile, registerVersion } from '../pipeline/versions.js';
import { formatColumns, println, printJson, type Command, type CommandContext } from './command.js';
import { boolFlag, intFlag, requireInput, stringFlag } from './flags.js';
import { registryPresence } from '../pipeline/registry-presence.js';

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body of `versions register`: --data BODY, --file FILE, --file - (standard input), or the
 * deprecated --json BODY (kept for old scripts, with a note on stderr; --json alone selects
 * JSON output).
 */
async function registerBodyText(ctx: CommandContext): Promise<{ text: string; source: string }> {
  const legacy = typeof ctx.flags.json === 'string' && ctx.flags.json !== '' ? ctx.flags.json : undefined;
  if (legacy !== undefined) println(ctx.io.stderr, 'ecp: --json BODY is deprecated: pass the body with --data BODY (--json alone selects JSON output).');
  const data = stringFlag(ctx, 'data');
  const file = stringFlag(ctx, 'file');
  const given = [data !== undefined && '--data', legacy !== undefined && '--json BODY', file !== undefined && '--file'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`Give the version body with one of --data, --file: not ${given.join(' and ')}.`);
  if (data !== undefined) return { text: data, source: '--data' };
  if (legacy !== undefined) return { text: legacy, source: '--json' };
  if (file === '-') return { text: await readStdin(ctx.io.stdin), source: 'standard input' };
  if (file !== undefined) return { text: await readVersionBodyFile(file), source: file };
  throw new UsageError("Missing version body. Usage: ecp versions register --data '<body>' | --file FILE | --file -");
}

function inputError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof VersionInputError) throw new UsageError(error.message);
    throw error;
  }
}

const register: Command = {
  name: 'versions register',
  usage:
    '  ecp versions register --data \'{"service_name":"callbot",...}\' [--json]\n  ecp versions register --file body.json [--json]\n  ecp versions register --file - < body.json\n\n  Prints the new version\'s id (--json: the whole record).',
  flags: { data: { type: 'string' }, json: { type: 'string' }, file: { type: 'string' } },
  mutating: true,
  async run(ctx) {
    const { text, source } = await registerBodyText(ctx);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`The version body from ${source} is not valid JSON: ${(error as Error).message}.`);
    }
    const input = inputError(() => parseRegisterBody(body));
    const version = await registerVersion(createCore(ctx.config), input);
    if (ctx.flags.json !== undefined) printJson(ctx, version);
    else println(ctx.io.stdout, version.id);
    return 0;
  },
};

function versionRows(versions: ImageVersion[], now: number): string[][] {
  return versions.map((v) => [
    v.id,
    v.imageTag,
    v.status,
    v.securityScanResult,
    String(v.vulnerabilitiesCount),
    v.gitBranch,
    v.gitCommit.slice(0, 7),
    `${formatDuration(now - Date.parse(v.createdAt))} ago`,
  ]);
}

export const VERSION_COLUMNS = ['ID', 'TAG', 'STATUS', 'SCAN', 'VULNS', 'BRANCH', 'COMMIT', 'CREATED'];

const list: Command = {
  name: 'versions list',
  usage: '  ecp versions list <service> [--limit N] [--all] [--check-registry] [--json]',
  flags: { limit: { type: 'number' }, all: { type: 'boolean' }, checkRegistry: { type: 'boolean' } },
  async run(ctx) {
    const service = requireInput(ctx, 0, 'service name', this.usage.trim());
    const problem = dns1123Problem('Service name', service);
    if (problem) throw new UsageError(problem);
    const all = boolFlag(ctx, 'all');
    const limit = intFlag(ctx, 'limit', 1) ?? (all ? undefined : 10);
    const store = createCore(ctx.config).store;
    const versions = all ? await store.allVersions(service) : (await store.read()).versions.filter((v) => v.serviceName === service).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const shown = limit === undefined ? versions : versions.slice(0, limit);
    // --check-registry: a REGISTRY column (present | moved | missing); exit 1 when one is not there.
    const presence = boolFlag(ctx, 'checkRegistry') ? await registryPresence(shown) : undefined;
    if (ctx.flags.json) {
      printJson(ctx, presence ? shown.map((v) => ({ ...v, registry: presence.get(v.id) })) : shown);
    } else if (shown.length === 0) {
      println(ctx.io.stdout, `No versions of ${service} are registered.`);
    } else if (presence) {
      const rows = versionRows(shown, Date.now()).map((row, i) => [...row, presence.get(shown[i]!.id)!.toUpperCase()]);
      println(ctx.io.stdout, formatColumns([...VERSION_COLUMNS, 'REGISTRY'], rows));
    } else {
      println(ctx.io.stdout, formatColumns(VERSION_COLUMNS, versionRows(shown, Date.now())));
    }
    return presence && [...presence.values()].some((p) => p !== 'present') ? 1 : 0;
  },
};

function printVersion(ctx: CommandContext, v: ImageVersion): void {
  if (ctx.flags.json) return printJson(ctx, v);
  const vulns = Object.entries(v.vulnerabilities)
    .map(([sev, n]) => `${sev} ${n}`)
    .join(', ');
  const lines: [string, string | undefined][] = [
    ['id', v.id],
    ['image', v.fullImageName],
    ['digest', v.digest],
    ['status', v.status],
    ['failed', v.failure && `${v.failure.cause} in ${v.failure.tenantId} (namespace ${v.failure.namespace}) ${v.failure.at}: ${v.failure.reason}`],
    ['scan', v.securityScanResult],
    ['vulnerabilities', `${v.vulnerabilitiesCount}${vulns ? ` (${vulns})` : ''}`],
    ['git', `${v.gitBranch} ${v.gitCommit}`],
    ['build', v.buildDurationMs === undefined ? undefined : formatDuration(v.buildDurationMs)],
    ['created', v.createdAt],
    ['updated', v.updatedAt],
  ];
  for (const [key, value] of lines) if (value !== undefined) println(ctx.io.stdout, `${`${key}:`.padEnd(17)}${escapeControl(value)}`);
}

const status: Command = {
  name: 'versions status',
  usage: '  ecp versions status <id> [--status S] [--scan passed|failed|pending|skipped] [--vulns N] [--json]',
  flags: { status: { type: 'string' }, scan: { type: 'string' }, vulns: { type: 'number' } },
  mutating: true,
  async run(ctx) {
    const id = requireInput(ctx, 0, 'version id', this.usage.trim());
    const change = inputError(() => parseStatusChange({ status: stringFlag(ctx, 'status'), scan: stringFlag(ctx, 'scan'), vulns: intFlag(ctx, 'vulns', 0) }));
    const { after } = await changeVersionStatus(createCore(ctx.config), id, change);
    printVersion(ctx, after);
    return 0;
  },
};

const show: Command = {
  name: 'versions show',
  usage: '  ecp versions show <id> [--json]',
  async run(ctx) {
    const id = requireInput(ctx, 0, 'version id', this.usage.trim());
    const found = await createCore(ctx.config).store.findVersion(id);
    if (!found) throw new UsageError(`No version has the id "${id}".`);
    printVersion(ctx, found.version);
    return 0;
  },
};

export const versionsCommands: Command[] = [register, list, status, show];
