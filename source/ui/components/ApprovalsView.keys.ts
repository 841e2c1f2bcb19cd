/** a: the approvals view's keys — choose one, approve it (y, then y again) or reject it (n, then the reason). */
import { char, erase, movementKeys, moved, named, onOverlay, overlayOf, typing } from '../keymap.js';
import { approvalIndex, approvalRows } from '../model/selectors.js';
import type { ApprovalsView } from '../model/state.js';
import { oneLine } from '../text.js';
import type { KeyTable } from '../views.js';
import { withoutLast } from './ServicesPane.keys.js';

const LIST: KeyTable = {
  where: 'approvals (a)',
  decisions: true,
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 8),
      (ctx, to) => {
        const view = overlayOf(ctx, 'approvals');
        if (!view) return;
        const rows = approvalRows(ctx.state(), ctx.approvalTtlMs);
        ctx.update(view, { selected: rows[moved(approvalIndex(rows, view.selected), to, rows.length)]?.id });
      },
      { footer: true },
    ),
    { id: 'approvals:approve', keys: [char('y'), named('return', 'Enter')], label: 'approve', help: 'approve the selected one (not your own; asks first)', mutating: true, footer: true, run: onOverlay('approvals', (ctx, v) => ctx.beginDecision(v, 'approved')) },
    { id: 'approvals:reject', keys: [char('n')], label: 'reject', help: 'reject the selected one (type the reason)', mutating: true, footer: true, run: onOverlay('approvals', (ctx, v) => ctx.beginDecision(v, 'rejected')) },
    { id: 'approvals:close', keys: [named('escape', 'Esc'), char('a'), char('q')], label: 'close', help: 'close the approvals', footer: true, run: (ctx) => ctx.close() },
  ],
};

const toList = onOverlay('approvals', (ctx, v) => ctx.update(v, { stage: 'list', reason: '' }));

const APPROVE: KeyTable = {
  where: 'approvals: approve?',
  bindings: [
    { id: 'approve:yes', keys: [char('y'), named('return', 'Enter')], label: 'approve', help: 'approve it', footer: true, run: onOverlay('approvals', (ctx, v) => ctx.decide(v, 'approved')) },
    { id: 'approve:no', keys: [char('n'), named('escape', 'Esc')], label: 'back', help: 'back to the list', footer: true, run: toList },
  ],
};

const REJECT: KeyTable = {
  where: 'approvals: reject, reason',
  bindings: [
    { id: 'reject:type', keys: [typing('type')], label: 'the reason', help: 'why it is rejected (required)', footer: true, run: onOverlay('approvals', (ctx, v, press) => ctx.update(v, { reason: v.reason + oneLine(press.input) })) },
    { id: 'reject:erase', keys: [erase], label: 'delete', help: 'delete the last character', run: onOverlay('approvals', (ctx, v) => ctx.update(v, { reason: withoutLast(v.reason) })) },
    {
      id: 'reject:yes',
      keys: [named('return', 'Enter')],
      label: 'reject',
      help: 'reject it with the reason',
      footer: true,
      run: onOverlay('approvals', (ctx, v) => (v.reason.trim() ? ctx.decide(v, 'rejected', v.reason.trim()) : ctx.say('A rejection needs a reason: type why, then Enter (Esc goes back).', 'error'))),
    },
    { id: 'reject:no', keys: [named('escape', 'Esc')], label: 'back', help: 'back to the list', footer: true, run: toList },
  ],
};

export const APPROVALS_TABLES: readonly KeyTable[] = [LIST, APPROVE, REJECT];

export function approvalsTable(view: ApprovalsView): KeyTable {
  return view.stage === 'list' ? LIST : view.stage === 'approve' ? APPROVE : REJECT;
}
