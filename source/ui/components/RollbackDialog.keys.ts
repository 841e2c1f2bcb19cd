/** r: the rollback dialog's keys at each step — choose the version, type the reason, confirm. */
import { char, erase, movementKeys, moved, named, onOverlay, overlayOf, typing } from '../keymap.js';
import type { RollbackDialog } from '../model/state.js';
import type { KeyContext } from '../model/ui-actions.js';
import { oneLine } from '../text.js';
import type { KeyTable } from '../views.js';
import { typedWordKeys } from './ConfirmDialog.keys.js';
import { withoutLast } from './ServicesPane.keys.js';

const TARGET: KeyTable = {
  where: 'rollback 1 version',
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 9),
      (ctx, to) => {
        const d = overlayOf(ctx, 'rollback');
        if (d) ctx.update(d, { index: moved(d.index, to, d.candidates.length) });
      },
      { footer: true },
    ),
    { id: 'rollback:next', keys: [named('return', 'Enter')], label: 'next', help: 'roll back to this version: the reason comes next', footer: true, run: onOverlay('rollback', (ctx, d) => ctx.chooseTarget(d)) },
    { id: 'rollback:cancel', keys: [named('escape', 'Esc')], label: 'cancel', help: 'cancel the rollback', footer: true, run: (ctx) => ctx.close() },
  ],
};

const REASON: KeyTable = {
  where: 'rollback 2 reason',
  bindings: [
    { id: 'rollback-reason:type', keys: [typing('type')], label: 'the reason', help: 'why you roll back (required)', footer: true, run: onOverlay('rollback', (ctx, d, press) => ctx.update(d, { reason: d.reason + oneLine(press.input) })) },
    { id: 'rollback-reason:erase', keys: [erase], label: 'delete', help: 'delete the last character', run: onOverlay('rollback', (ctx, d) => ctx.update(d, { reason: withoutLast(d.reason) })) },
    {
      id: 'rollback-reason:next',
      keys: [named('return', 'Enter')],
      label: 'next',
      help: 'the reason is given: confirm next',
      footer: true,
      run: onOverlay('rollback', (ctx, d) => (d.reason.trim() ? ctx.update(d, { stage: 'confirm', reason: d.reason.trim() }) : ctx.say('A reason is required: say why you roll back.', 'error'))),
    },
    { id: 'rollback-reason:back', keys: [named('escape', 'Esc')], label: 'back', help: 'back to choosing the version', footer: true, run: onOverlay('rollback', (ctx, d) => ctx.update(d, { stage: 'target' })) },
  ],
};

const backToReason = (ctx: KeyContext, d: RollbackDialog) => ctx.update(d, { stage: 'reason', typed: '' });

const CONFIRM: KeyTable = {
  where: 'rollback 3 confirm',
  bindings: [
    { id: 'rollback:yes', keys: [char('y'), named('return', 'Enter')], label: 'roll back', help: 'roll back now', footer: true, run: onOverlay('rollback', (ctx, d) => ctx.rollBack(d)) },
    { id: 'rollback:no', keys: [char('n'), named('escape', 'Esc')], label: 'back', help: 'back to the reason', footer: true, run: onOverlay('rollback', backToReason) },
  ],
};

const CONFIRM_TYPED: KeyTable = {
  where: 'rollback 3 confirm, protected namespace',
  bindings: typedWordKeys('rollback', (ctx, d) => ctx.rollBack(d), { label: 'back', help: 'go back to the reason', run: backToReason }),
};

export const ROLLBACK_TABLES: readonly KeyTable[] = [TARGET, REASON, CONFIRM, CONFIRM_TYPED];

export function rollbackTable(dialog: RollbackDialog): KeyTable {
  if (dialog.stage === 'target') return TARGET;
  if (dialog.stage === 'reason') return REASON;
  return dialog.word === undefined ? CONFIRM : CONFIRM_TYPED;
}
