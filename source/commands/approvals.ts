/** `ecp approvals | approve | reject` (issue 8). */
import { createCore } from '../core.js';
import { imagesAsTags, shownStatus } from '../domain/approvals.js';
import { decideApproval, type Decision } from '../pipeline/approval-decision.js';
import { formatColumns, println, printJson, type Command, type CommandContext } from './command.js';
import { boolFlag, requireInput, stringFlag } from './flags.js';

const list: Command = {
  name: 'approvals',
  usage: '  ecp approvals [--all] [--json]',
  flags: { all: { type: 'boolean' } },
  async run(ctx) {
    const now = Date.now();
    const ttl = ctx.config.approvalTtlMs;
    const approvals = (await createCore(ctx.config).store.read()).approvals
      .map((a) => ({ ...a, status: shownStatus(a, ttl, now) }))
      .filter((a) => boolFlag(ctx, 'all') || a.status === 'pending')
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    if (ctx.flags.json) return (printJson(ctx, approvals), 0);
    if (approvals.length === 0) {
      println(ctx.io.stdout, boolFlag(ctx, 'all') ? 'No approvals are recorded.' : 'No approvals are pending.');
      return 0;
    }
    const rows = approvals.map((a) => [a.id, a.status, a.action, a.tenantId, imagesAsTags(a.images), a.requestedBy, a.requestedAt.slice(0, 16).replace('T', ' '), a.decidedBy ?? '']);
    println(ctx.io.stdout, formatColumns(['ID', 'STATUS', 'ACTION', 'TENANT', 'IMAGES', 'REQUESTED BY', 'AT', 'DECIDED BY'], rows));
    return 0;
  },
};

async function decide(ctx: CommandContext, decision: Decision, usage: string): Promise<number> {
  const id = requireInput(ctx, 0, 'approval id', usage);
  const reason = stringFlag(ctx, 'reason');
  const { approval: decided, actor } = await decideApproval(createCore(ctx.config), id, decision, reason);
  if (ctx.flags.json) printJson(ctx, decided);
  else println(ctx.io.stdout, `Approval ${id} ${decision} by ${actor}.${decision === 'approved' ? ` Re-run the ${decided.action} with --approval ${id}.` : ''}`);
  return 0;
}

const approve: Command = {
  name: 'approve',
  usage: '  ecp approve <id> [--reason "..."] [--json]',
  flags: { reason: { type: 'string' } },
  mutating: true,
  role: 'approver',
  run(ctx) {
    return decide(ctx, 'approved', this.usage.trim());
  },
};

const reject: Command = {
  name: 'reject',
  usage: '  ecp reject <id> --reason "..." [--json]',
  flags: { reason: { type: 'string' } },
  mutating: true,
  role: 'approver',
  run(ctx) {
    return decide(ctx, 'rejected', this.usage.trim());
  },
};

export const approvalCommands: Command[] = [list, approve, reject];
