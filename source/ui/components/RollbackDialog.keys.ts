/** r: the rollback dialog's keys at each step — choose the version, type the reason, confirm. */
import { char, movementKeys, moved, named, overlayField, textFieldKeys, withOverlay } from '../keymap.js';
import type { RollbackDialog } from '../model/state.js';
import type { KeyContext } from '../model/ui-actions.js';
import type { KeyTable } from '../views.js';
import { diffKey, typedWordKeys } from './ConfirmDialog.keys.js';

const TARGET: KeyTable = {
  where: 'rollback 1 version',
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().bodyHeight - 9),
      (ctx, to) => withOverlay(ctx, 'rollback', (d) => ctx.update(d, { index: moved(d.index, to, d.candidates.length) })),
      { footer: true },
    ),
    {
      id: 'rollback:next',
      keys: [named('return', 'Enter')],
      label: 'next',
      help: 'roll back to this version: the reason comes next',
      footer: true,
      run: (ctx) => withOverlay(ctx, 'rollback', (d) => ctx.chooseTarget(d)),
    },
    { id: 'rollback:cancel', keys: [named('escape', 'Esc')], label: 'cancel', help: 'cancel the rollback', footer: true, run: (ctx) => ctx.close() },
  ],
};

const REASON: KeyTable = {
  where: 'rollback 2 reason',
  bindings: [
    ...textFieldKeys(
      'rollback-reason',
      overlayField('rollback', 'reason'),
      { label: 'the reason', help: 'why you roll back (required)' },
      {
        label: 'next',
        help: 'the reason is given: confirm next',
        run: (ctx, reason) =>
          reason.trim() ? withOverlay(ctx, 'rollback', (d) => ctx.toConfirm(d, reason.trim())) : ctx.say('A reason is required: say why you roll back.', 'error', 'rollback-reason'),
      },
      { label: 'back', help: 'back to choosing the version', run: (ctx) => withOverlay(ctx, 'rollback', (d) => ctx.update(d, { stage: 'target' })) },
    ),
    diffKey('rollback'),
  ],
};

const backToReason = (ctx: KeyContext) => withOverlay(ctx, 'rollback', (d) => ctx.update(d, { stage: 'reason', typed: '' }));
const rollBack = (ctx: KeyContext) => withOverlay(ctx, 'rollback', (d) => ctx.rollBack(d));

export const ROLLBACK_CONFIRM_KEYS: KeyTable = {
  where: 'rollback 3 confirm',
  bindings: [
    { id: 'rollback:yes', keys: [char('y'), named('return', 'Enter')], label: 'roll back', help: 'roll back now', footer: true, run: rollBack },
    { id: 'rollback:no', keys: [char('n'), named('escape', 'Esc')], label: 'back', help: 'back to the reason', footer: true, run: backToReason },
    diffKey('rollback'),
  ],
};

export const ROLLBACK_TYPED_KEYS: KeyTable = {
  where: 'rollback 3 confirm (tenant id)',
  bindings: [...typedWordKeys('rollback', rollBack, { label: 'back', help: 'go back to the reason', run: backToReason }), diffKey('rollback')],
};

export const ROLLBACK_TABLES: readonly KeyTable[] = [TARGET, REASON, ROLLBACK_CONFIRM_KEYS, ROLLBACK_TYPED_KEYS];

export function rollbackTable(dialog: RollbackDialog): KeyTable {
  if (dialog.stage === 'target') return TARGET;
  if (dialog.stage === 'reason') return REASON;
  return dialog.word === undefined ? ROLLBACK_CONFIRM_KEYS : ROLLBACK_TYPED_KEYS;
}
