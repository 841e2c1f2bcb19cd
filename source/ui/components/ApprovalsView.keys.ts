/** a: the approvals view's keys — choose one, approve it (y, then y again) or reject it (n, then the reason). */
import { char, movementKeys, moved, named, overlayField, textFieldKeys, withOverlay } from '../keymap.js';
import { approvalIndex, approvalRows } from '../model/selectors.js';
import type { ApprovalsView } from '../model/state.js';
import type { KeyContext } from '../model/ui-actions.js';
import type { KeyTable } from '../views.js';
import { clearFilterOr, filterListKey } from './ServicesPane.keys.js';

export const APPROVALS_LIST_KEYS: KeyTable = {
  where: 'approvals (a)',
  decisions: true,
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 8),
      (ctx, to) =>
        withOverlay(ctx, 'approvals', (view) => {
          const rows = approvalRows(ctx.state(), ctx.approvalTtlMs);
          ctx.update(view, { selected: rows[moved(approvalIndex(rows, view.selected), to, rows.length)]?.id });
        }),
      { footer: true },
    ),
    {
      id: 'approvals:approve',
      keys: [char('y'), named('return', 'Enter')],
      label: 'approve',
      help: 'approve the selected one (not your own; asks first)',
      mutating: true,
      footer: true,
      run: (ctx) => withOverlay(ctx, 'approvals', (v) => ctx.beginDecision(v, 'approved')),
    },
    {
      id: 'approvals:reject',
      keys: [char('n')],
      label: 'reject',
      help: 'reject the selected one (type the reason)',
      mutating: true,
      footer: true,
      run: (ctx) => withOverlay(ctx, 'approvals', (v) => ctx.beginDecision(v, 'rejected')),
    },
    filterListKey('filter the approvals: every word typed must be in the id, action, tenant, images, who requested or decided, or the status'),
    {
      id: 'approvals:close',
      keys: [named('escape', 'Esc'), char('a'), char('q')],
      label: 'close',
      help: 'close the approvals (Esc: clear the filter first)',
      footer: true,
      run: clearFilterOr('approvals', (ctx) => ctx.close()),
    },
  ],
};

const toList = (ctx: KeyContext) => withOverlay(ctx, 'approvals', (v) => ctx.update(v, { stage: 'list', reason: '' }));

export const APPROVE_KEYS: KeyTable = {
  where: 'approvals: approve?',
  bindings: [
    {
      id: 'approve:yes',
      keys: [char('y'), named('return', 'Enter')],
      label: 'approve',
      help: 'approve it',
      footer: true,
      run: (ctx) => withOverlay(ctx, 'approvals', (v) => ctx.decide(v, 'approved')),
    },
    { id: 'approve:no', keys: [char('n'), named('escape', 'Esc')], label: 'back', help: 'back to the list', footer: true, run: toList },
  ],
};

export const REJECT_KEYS: KeyTable = {
  where: 'approvals: reject (reason)',
  bindings: textFieldKeys(
    'reject',
    overlayField('approvals', 'reason'),
    { label: 'the reason', help: 'why it is rejected (required)' },
    {
      label: 'reject',
      help: 'reject it with the reason',
      run: (ctx, reason) =>
        reason.trim()
          ? withOverlay(ctx, 'approvals', (v) => ctx.decide(v, 'rejected', reason.trim()))
          : ctx.say('A rejection needs a reason: type why, then Enter (Esc goes back).', 'error', 'reject'),
    },
    { label: 'back', help: 'back to the list', run: toList },
  ),
};

export const APPROVALS_TABLES: readonly KeyTable[] = [APPROVALS_LIST_KEYS, APPROVE_KEYS, REJECT_KEYS];

export function approvalsTable(view: ApprovalsView): KeyTable {
  return view.stage === 'list' ? APPROVALS_LIST_KEYS : view.stage === 'approve' ? APPROVE_KEYS : REJECT_KEYS;
}
