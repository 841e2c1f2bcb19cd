/**
 * A running `ecp serve` (in this process) over a scenario: a real git repo with the tenants, a
 * temp store, the sandbox cluster and, when given, the real registry. One token per role.
 */
import { newToken } from '../../source/server/token-new.js';
import { startServer, type RunningServer } from '../../source/server/start.js';
import { scenario, type Scenario } from '../helpers/scenario.js';

export type Role = 'reader' | 'operator' | 'approver';
/** The callers a world admits: one per role, and a second operator. */
export type Caller = Role | 'operator2';

export interface ServerWorld {
  s: Scenario;
  server: RunningServer;
  url: string;
  tokens: Record<Caller, string>;
  identities: Record<Caller, string>;
  /** The server's request log. */
  log: string[];
  /** fetch against the server with the role's token (or none). */
  call(method: string, path: string, options?: { role?: Caller; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string }>;
  stop(): Promise<void>;
}

export async function serverWorld(options: { registry?: string; config?: string } = {}): Promise<ServerWorld> {
  const roles: Caller[] = ['reader', 'operator', 'approver', 'operator2'];
  const identities = { reader: 'dashboard@example.com', operator: 'ci@example.com', approver: 'lead@example.com', operator2: 'nightly@example.com' };
  const made = Object.fromEntries(roles.map((r) => [r, newToken(identities[r], r === 'operator2' ? 'operator' : r)])) as Record<Caller, ReturnType<typeof newToken>>;
  const extra = options.config ?? '';
  const config = `${extra.includes('requireApproval:') ? '' : 'requireApproval: []\n'}${extra}server:\n  tokens:\n${roles.map((r) => made[r].configLine).join('\n')}\n`;
  const s = await scenario(options.registry, config);
  const log: string[] = [];
  const server = await startServer({
    core: s.core,
    cluster: { client: s.client, description: 'SANDBOX (test)' },
    version: 'test',
    host: '127.0.0.1',
    port: 0,
    log: (line) => log.push(line),
  });
  const tokens = Object.fromEntries(roles.map((r) => [r, made[r].token])) as Record<Caller, string>;
  return {
    s,
    server,
    url: server.url,
    tokens,
    identities,
    log,
    async call(method, path, { role, body, raw, headers = {} } = {}) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}),
          ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    },
    async stop() {
      await server.close();
      await s.stop();
    },
  };
}
