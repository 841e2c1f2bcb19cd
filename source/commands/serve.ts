/**
 * `ecp serve` (issue 17): the specification's REST API and a status page over the same pipeline
 * operations; `ecp serve token new` makes a bearer token and the config line that admits it.
 */
import { SERVER_ROLES, type ServerRole } from '../config.js';
import { createCore } from '../core.js';
import { readTlsPair } from '../pipeline/tls-files.js';
import { UsageError } from '../errors.js';
import { listenVerdict } from '../server/listen-policy.js';
import { startServer } from '../server/start.js';
import { newToken } from '../server/token-new.js';
import { openCluster } from './cluster-option.js';
import { println, type Command } from './command.js';
import { boolFlag, intFlag, requireInput, stringFlag } from './flags.js';

// Inlined by the bundle, so it holds wherever the bundle lives.
import packageJson from '../../package.json' with { type: 'json' };

const packageVersion = packageJson.version;

const serve: Command = {
  name: 'serve',
  usage: '  ecp serve [--port 8000] [--host 127.0.0.1] [--tls-cert FILE --tls-key FILE] [--insecure-listen] [--readonly] [--context C | --sandbox]',
  flags: { port: { type: 'number' }, host: { type: 'string' }, tlsCert: { type: 'string' }, tlsKey: { type: 'string' }, insecureListen: { type: 'boolean' } },
  async run(ctx) {
    const port = intFlag(ctx, 'port', 0) ?? 8000;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}.`);
    const host = stringFlag(ctx, 'host') ?? '127.0.0.1';
    const certFile = stringFlag(ctx, 'tlsCert');
    const keyFile = stringFlag(ctx, 'tlsKey');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('TLS needs both --tls-cert FILE and --tls-key FILE.');
    const verdict = listenVerdict(host, certFile !== undefined, boolFlag(ctx, 'insecureListen'));
    if (verdict.refuse) throw new UsageError(verdict.refuse);
    if (verdict.warn) println(ctx.io.stderr, `ecp serve: warning: ${verdict.warn}`);
    const https = certFile && keyFile ? readTlsPair(certFile, keyFile) : undefined;
    if (ctx.config.serverTokens.length === 0) {
      println(
        ctx.io.stderr,
        `ecp serve: warning: no server.tokens in ${ctx.config.configFile ?? 'ecp.config.yaml'}: every request but /, /health and /openapi.json is refused (401). Make one with \`ecp serve token new\`.`,
      );
    }
    const session = await openCluster(ctx);
    if (!session) println(ctx.io.stderr, 'ecp serve: warning: no cluster is configured (KUBECONFIG, --context or --sandbox): live state is Unknown and rollbacks are refused.');
    const core = createCore(ctx.config);
    const cluster = session ? { client: session.client, description: session.cluster.description } : undefined;
    const server = await startServer({ core, cluster, version: packageVersion, host, port, https, log: (line) => println(ctx.io.stderr, line) }).catch(async (error: NodeJS.ErrnoException) => {
      await session?.close();
      if (error.code === 'EADDRINUSE') throw new UsageError(`Port ${port} on ${host} is in use: stop what listens there or pass --port N.`);
      if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') throw new UsageError(`Cannot listen on ${host}:${port} (${error.code}): pick another --host or --port.`);
      throw error;
    });
    println(ctx.io.stderr, `ecp serve: listening on ${server.url} (${ctx.config.readOnly ? 'read-only, ' : ''}cluster ${cluster?.description ?? 'none'}, store ${ctx.config.dataDir})`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await session?.close();
    return 0;
  },
};

const tokenNew: Command = {
  name: 'serve token',
  usage: '  ecp serve token new --identity ci@example.com --role reader|operator|approver',
  flags: { identity: { type: 'string' }, role: { type: 'string' } },
  async run(ctx) {
    if (requireInput(ctx, 0, 'sub-command "new"', this.usage.trim()) !== 'new' || ctx.input.length > 1) {
      throw new UsageError(`Unknown "ecp serve token ${ctx.input.join(' ')}". Usage: ${this.usage.trim()}`);
    }
    const identity = stringFlag(ctx, 'identity');
    if (!identity?.trim()) throw new UsageError('A token needs --identity (who it acts as, recorded on every record and audit event).');
    const role = stringFlag(ctx, 'role');
    if (!role || !(SERVER_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${SERVER_ROLES.join(', ')}${role ? `, not "${role}"` : ''}.`);
    const { token, configLine } = newToken(identity.trim(), role as ServerRole);
    println(ctx.io.stdout, token);
    println(ctx.io.stderr, `Shown once; ecp keeps only its sha256. Add this line under server.tokens in ${ctx.config.configFile ?? 'ecp.config.yaml'}:\n\nserver:\n  tokens:\n${configLine}`);
    return 0;
  },
};

export const serveCommands: Command[] = [serve, tokenNew];
