/** The question before an action: y / n, or the tenant id typed in a protected namespace. */
import { char, named, overlayField, overlayOf, textFieldKeys, type Binding } from '../keymap.js';
import type { ConfirmDialog } from '../model/state.js';
import type { KeyContext } from '../model/ui-actions.js';
import type { KeyTable } from '../views.js';

function confirmed(ctx: KeyContext): void {
  const dialog = overlayOf(ctx, 'confirm');
  if (dialog) ctx.confirmed(dialog);
}

/** Tab: the whole manifest diff of the dialog of `kind` (Esc comes back). */
export const diffKey = (kind: 'confirm' | 'rollback'): Binding => ({
  id: `${kind}:diff`,
  keys: [named('tab', 'Tab')],
  label: 'diff',
  help: 'the full manifest diff of the change',
  footer: true,
  run: (ctx) => {
    const dialog = overlayOf(ctx, kind);
    if (dialog) ctx.showDiff(dialog);
  },
});

export const CONFIRM_KEYS: KeyTable = {
  where: 'confirm',
  bindings: [
    { id: 'confirm:yes', keys: [char('y'), named('return', 'Enter')], label: 'go ahead', help: 'go ahead', footer: true, run: confirmed },
    { id: 'confirm:no', keys: [char('n'), named('escape', 'Esc')], label: 'cancel', help: 'cancel', footer: true, run: (ctx) => ctx.close() },
    diffKey('confirm'),
  ],
};

/**
 * Typing the tenant id to confirm (a protected namespace) in the dialog of `kind`: Enter does
 * `confirmed` once the text matches, Esc does `cancel` (its help finishes "Esc to …").
 */
export function typedWordKeys(kind: 'confirm' | 'rollback', confirmed: (ctx: KeyContext) => void, cancel: { label: string; help: string; run: (ctx: KeyContext) => void }): Binding[] {
  const word = (ctx: KeyContext) => overlayOf(ctx, kind)?.word;
  return textFieldKeys(
    kind,
    overlayField(kind, 'typed'),
    { label: 'the tenant id', help: 'the tenant id, exactly' },
    {
      label: 'confirm',
      help: 'confirm, once the tenant id matches',
      run: (ctx, typed) => (typed === word(ctx) ? confirmed(ctx) : ctx.say(`Type ${word(ctx)} exactly to confirm, or Esc to ${cancel.help}.`, 'error')),
    },
    cancel,
  );
}

export const CONFIRM_TYPED_KEYS: KeyTable = {
  where: 'confirm (tenant id)',
  bindings: [...typedWordKeys('confirm', confirmed, { label: 'cancel', help: 'cancel', run: (ctx) => ctx.close() }), diffKey('confirm')],
};

export const CONFIRM_TABLES: readonly KeyTable[] = [CONFIRM_KEYS, CONFIRM_TYPED_KEYS];

export const confirmTable = (dialog: ConfirmDialog): KeyTable => (dialog.word === undefined ? CONFIRM_KEYS : CONFIRM_TYPED_KEYS);
