/** `ecp audit`, `ecp audit verify` (issue 8) and `ecp audit repair` (issue 19). */
import { createCore } from '../core.js';
import { repairAudit, verifyAudit } from '../pipeline/audit.js';
import { formatColumns, println, printJson, type Command } from './command.js';
import { boolFlag, intFlag } from './flags.js';

const list: Command = {
  name: 'audit',
  usage: '  ecp audit [--limit N] [--json]',
  flags: { limit: { type: 'number' } },
  async run(ctx) {
    const events = await createCore(ctx.config).audit.list(intFlag(ctx, 'limit', 1) ?? 50);
    if (ctx.flags.json) return (printJson(ctx, events), 0);
    if (events.length === 0) return (println(ctx.io.stdout, 'The audit trail is empty.'), 0);
    const details = (d: Record<string, unknown>) => JSON.stringify(d).slice(0, 120);
    println(
      ctx.io.stdout,
      formatColumns(
        ['AT', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'],
        events.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.actor, e.action, e.target, details(e.details)]),
      ),
    );
    return 0;
  },
};

const verify: Command = {
  name: 'audit verify',
  usage: '  ecp audit verify [--against-git] [--json]',
  flags: { againstGit: { type: 'boolean' } },
  async run(ctx) {
    const core = createCore(ctx.config);
    const verdict = await verifyAudit(core, { againstGit: boolFlag(ctx, 'againstGit') });
    if (ctx.flags.json) printJson(ctx, { file: core.audit.where, ...verdict });
    else println(ctx.io.stdout, verdict.message);
    return verdict.ok ? 0 : 1;
  },
};

const repair: Command = {
  name: 'audit repair',
  usage: '  ecp audit repair',
  mutating: true,
  async run(ctx) {
    println(ctx.io.stdout, (await repairAudit(createCore(ctx.config))).message);
    return 0;
  },
};

export const auditCommands: Command[] = [list, verify, repair];
