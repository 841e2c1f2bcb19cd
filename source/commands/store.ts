/** `ecp store migrate --to kubernetes|file` and `ecp store status` (issue 16). */
import { STORE_BACKENDS, type StoreBackendName } from '../config.js';
import { createCore } from '../core.js';
import { UsageError } from '../errors.js';
import { migrateStore, storeStatus } from '../pipeline/store-admin.js';
import { println, printJson, type Command } from './command.js';
import { stringFlag } from './flags.js';
import { counted } from '../domain/words.js';

const migrate: Command = {
  name: 'store migrate',
  usage: '  ecp store migrate --to kubernetes|file [--json]\n\n  Copies only what the target lacks (a second run copies nothing); refuses, writing nothing, when the target holds a different history.',
  flags: { to: { type: 'string' } },
  mutating: true,
  async run(ctx) {
    const to = stringFlag(ctx, 'to');
    if (!to || !(STORE_BACKENDS as readonly string[]).includes(to)) throw new UsageError(`store migrate needs --to ${STORE_BACKENDS.join(' or ')}${to ? `, not "${to.slice(0, 40)}"` : ''}.`);
    const result = await migrateStore(createCore(ctx.config), to as StoreBackendName);
    if (ctx.flags.json) {
      printJson(ctx, result);
      return 0;
    }
    const c = result.copied;
    println(
      ctx.io.stdout,
      `Copied ${counted(c.versions, 'version')}, ${counted(c.deployments, 'deployment record')}, ${counted(c.approvals, 'approval')} and ${counted(c.auditEvents, 'audit event')} from ${result.from} to ${result.to}.`,
    );
    println(ctx.io.stdout, result.verified);
    return 0;
  },
};

const status: Command = {
  name: 'store status',
  usage: '  ecp store status [--json]',
  async run(ctx) {
    const s = await storeStatus(createCore(ctx.config));
    if (ctx.flags.json) {
      printJson(ctx, s);
      return 0;
    }
    println(ctx.io.stdout, `backend      ${s.backend}`);
    println(ctx.io.stdout, `where        ${s.where}`);
    println(ctx.io.stdout, `versions     ${s.versions.hot} hot, ${s.versions.archived} archived`);
    println(ctx.io.stdout, `deployments  ${s.deployments.hot} hot, ${s.deployments.archived} archived`);
    println(ctx.io.stdout, `approvals    ${s.approvals}`);
    println(ctx.io.stdout, `audit head   ${s.audit.count} events${s.audit.hash ? `, last ${s.audit.hash}` : ''}`);
    return 0;
  },
};

export const storeCommands: Command[] = [migrate, status];
