/** The question before an action: y / n, or the tenant id typed in a protected namespace. */
import { char, erase, named, onOverlay, overlayOf, typing, type Binding, type KeyPress } from '../keymap.js';
import type { ConfirmDialog, RollbackDialog } from '../model/state.js';
import type { KeyContext } from '../model/ui-actions.js';
import { oneLine } from '../text.js';
import type { KeyTable } from '../views.js';
import { withoutLast } from './ServicesPane.keys.js';

export const CONFIRM_KEYS: KeyTable = {
  where: 'confirm',
  bindings: [
    { id: 'confirm:yes', keys: [char('y'), named('return', 'Enter')], label: 'go ahead', help: 'go ahead', footer: true, run: onOverlay('confirm', (ctx, d) => ctx.confirmed(d)) },
    { id: 'confirm:no', keys: [char('n'), named('escape', 'Esc')], label: 'cancel', help: 'cancel', footer: true, run: (ctx) => ctx.close() },
  ],
};

/**
 * Typing the tenant id to confirm (a protected namespace), in the dialog of `kind`: Enter does
 * `confirmed` once the text matches, Esc does `cancel` (`cancel.help` finishes "Esc to …").
 */
export function typedWordKeys<K extends 'confirm' | 'rollback', D extends Extract<ConfirmDialog | RollbackDialog, { kind: K }>>(
  kind: K,
  confirmed: (ctx: KeyContext, dialog: D) => void,
  cancel: { label: string; help: string; run: (ctx: KeyContext, dialog: D) => void },
): Binding[] {
  const on = (run: (ctx: KeyContext, dialog: D, press: KeyPress) => void): Binding['run'] => (ctx, press) => {
    const dialog = overlayOf(ctx, kind) as D | undefined;
    if (dialog) run(ctx, dialog, press);
  };
  const retype = (ctx: KeyContext, dialog: D, typed: string) => ctx.update<ConfirmDialog | RollbackDialog>(dialog, { typed });
  return [
    { id: `${kind}:type`, keys: [typing('type')], label: 'the tenant id', help: 'the tenant id, exactly', footer: true, run: on((ctx, d, press) => retype(ctx, d, d.typed + oneLine(press.input))) },
    { id: `${kind}:erase`, keys: [erase], label: 'delete', help: 'delete the last character', run: on((ctx, d) => retype(ctx, d, withoutLast(d.typed))) },
    {
      id: `${kind}:confirm`,
      keys: [named('return', 'Enter')],
      label: 'confirm',
      help: 'confirm, once the tenant id matches',
      footer: true,
      run: on((ctx, d) => (d.typed === d.word ? confirmed(ctx, d) : ctx.say(`Type ${d.word} exactly to confirm, or Esc to ${cancel.help}.`, 'error'))),
    },
    { id: `${kind}:cancel`, keys: [named('escape', 'Esc')], label: cancel.label, help: cancel.help, footer: true, run: on(cancel.run) },
  ];
}

export const CONFIRM_TYPED_KEYS: KeyTable = {
  where: 'confirm, protected namespace',
  bindings: typedWordKeys('confirm', (ctx, d) => ctx.confirmed(d), { label: 'cancel', help: 'cancel', run: (ctx) => ctx.close() }),
};

export const CONFIRM_TABLES: readonly KeyTable[] = [CONFIRM_KEYS, CONFIRM_TYPED_KEYS];

export const confirmTable = (dialog: ConfirmDialog): KeyTable => (dialog.word === undefined ? CONFIRM_KEYS : CONFIRM_TYPED_KEYS);
