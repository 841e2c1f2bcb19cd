/**
 * Key bindings: a key, the words the footer and the `?` help show for it, and what it does — in
 * one object, so what is shown and what is routed cannot part. Each view (the panes, every
 * overlay and dialog) has its tables beside its component (`*.keys.ts`, as k9s binds keys in
 * each view); `views.ts` picks the table of what is on screen. A key no binding of the view
 * matches does nothing.
 */
import type { Key } from 'ink';
import type { ActionId } from './actions.js';
import type { Overlay, Pane } from './model/state.js';
import type { KeyContext } from './model/ui-actions.js';
import { oneLine } from './text.js';

export type KeyInput = Pick<
  Key,
  'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'shift' | 'tab' | 'backspace' | 'delete' | 'meta'
>;

/** One key press, as Ink hands it over (split per character). */
export interface KeyPress {
  input: string;
  key: KeyInput;
}

export interface KeySpec {
  /** How the key is written in the footer and help. */
  display: string;
  matches(input: string, key: KeyInput): boolean;
  /** A press this spec matches (tests prove with it that every key shown is routed). */
  sample: KeyPress;
}

export interface Binding {
  /** Names the binding (tests, the footer's order, a dialog's sentence): 'up', 'action:build', 'rollback:next'. */
  id: string;
  keys: readonly KeySpec[];
  /** Short word for the footer. */
  label: string;
  /** One line for the help overlay. */
  help: string;
  /** For a pipeline action's key: it exists only while that action is available. */
  action?: ActionId;
  /** Panes where the key applies (the panes' table only); undefined: every pane. */
  panes?: readonly Pane[];
  /** Changes something (files, registry, git, cluster, store): hidden in read-only mode. */
  mutating?: boolean;
  /** Shown in the footer (keys everyone knows are left to help). */
  footer?: boolean;
  run(ctx: KeyContext, press: KeyPress): void;
}

/** The keys of one view in force now, and what the help calls the view. */
export interface KeyView {
  where: string;
  bindings: readonly Binding[];
  /** The footer shows only the first key of each binding (the panes: there are many). */
  firstKeyOnly?: boolean;
}

export const NO_KEY: KeyInput = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

const plain = (key: KeyInput) => !key.ctrl && !key.meta;

export const char = (c: string): KeySpec => ({
  display: c,
  matches: (input, key) => input === c && plain(key),
  sample: { input: c, key: { ...NO_KEY, shift: c !== c.toLowerCase() } },
});

export const ctrl = (c: string): KeySpec => ({
  display: `Ctrl-${c.toUpperCase()}`,
  matches: (input, key) => input === c && key.ctrl,
  sample: { input: c, key: { ...NO_KEY, ctrl: true } },
});

export const named = (name: keyof KeyInput, display: string, shift?: boolean): KeySpec => ({
  display,
  matches: (_input, key) => key[name] === true && (shift === undefined || key.shift === shift),
  sample: { input: '', key: { ...NO_KEY, [name]: true, shift: shift === true } },
});

/** Backspace, and Delete (what most terminals send for the Backspace key). */
const erase: KeySpec = {
  display: 'Backspace',
  matches: (_input, key) => key.backspace || key.delete,
  sample: { input: '', key: { ...NO_KEY, delete: true } },
};

const NOT_TEXT: readonly (keyof KeyInput)[] = [
  'ctrl',
  'meta',
  'upArrow',
  'downArrow',
  'leftArrow',
  'rightArrow',
  'pageUp',
  'pageDown',
  'home',
  'end',
  'tab',
  'return',
  'escape',
  'backspace',
  'delete',
];

/** Any printable character, into a text field. */
const typing: KeySpec = {
  display: 'type',
  matches: (input, key) => oneLine(input).length > 0 && NOT_TEXT.every((name) => !key[name]),
  sample: { input: 'x', key: NO_KEY },
};

export function bindingFor(bindings: readonly Binding[], input: string, key: KeyInput): Binding | undefined {
  return bindings.find((b) => b.keys.some((k) => k.matches(input, key)));
}

export function keysText(binding: Binding): string {
  return binding.keys.map((k) => k.display).join(' ');
}

/** A binding's keys as a dialog's sentence says them: "y or Enter". */
export function keyWords(binding: Binding): string {
  return binding.keys.map((k) => k.display).join(' or ');
}

/** The binding `id` of a table (a dialog's sentence names its keys from it). */
export function bindingOf(view: KeyView, id: string): Binding {
  const binding = view.bindings.find((b) => b.id === id);
  if (!binding) throw new Error(`No binding ${id} in the keys of ${view.where}.`);
  return binding;
}

/** The open overlay when it is of `kind`. */
export function overlayOf<K extends Overlay['kind']>(ctx: KeyContext, kind: K): Extract<Overlay, { kind: K }> | undefined {
  const overlay = ctx.state().overlay;
  return overlay?.kind === kind ? (overlay as Extract<Overlay, { kind: K }>) : undefined;
}

/** `run` with the open overlay of `kind`; nothing when another is open. */
export function withOverlay<K extends Overlay['kind']>(ctx: KeyContext, kind: K, run: (overlay: Extract<Overlay, { kind: K }>) => void): void {
  const overlay = overlayOf(ctx, kind);
  if (overlay) run(overlay);
}

/** What a text field holds (undefined: it is not on screen) and how it changes. */
export interface TextField {
  get(ctx: KeyContext): string | undefined;
  set(ctx: KeyContext, text: string): void;
}

/** The text field `name` of the open overlay of `kind`. */
export function overlayField<K extends Overlay['kind']>(kind: K, name: keyof Extract<Overlay, { kind: K }> & string): TextField {
  return {
    get: (ctx) => overlayOf(ctx, kind)?.[name] as string | undefined,
    set: (ctx, text) => {
      const overlay = overlayOf(ctx, kind);
      if (overlay) ctx.update(overlay, { [name]: text } as Partial<typeof overlay>);
    },
  };
}

/**
 * What Enter or Esc does in a text field: its words in the footer and help, and its work. A
 * refusal it says with `about` set to the field's prefix goes when the field is typed in.
 */
export interface FieldKey {
  label: string;
  help: string;
  run(ctx: KeyContext, text: string): void;
}

/**
 * A one-line text field's keys: printable keys type (`typed` says what), Backspace deletes,
 * Enter does `submit` with the text, Esc does `cancel`.
 */
export function textFieldKeys(prefix: string, field: TextField, typed: { label: string; help: string }, submit: FieldKey, cancel: FieldKey): Binding[] {
  const withText =
    (run: (ctx: KeyContext, text: string) => void): Binding['run'] =>
    (ctx) => {
      const text = field.get(ctx);
      if (text !== undefined) run(ctx, text);
    };
  return [
    {
      id: `${prefix}:type`,
      keys: [typing],
      ...typed,
      footer: true,
      run: (ctx, press) =>
        withText((c, text) => {
          // What Enter refused about this field ("a reason is required") is no longer true once typed in.
          if (c.state().message?.about === prefix) c.dispatch({ type: 'message', message: undefined });
          field.set(c, text + oneLine(press.input));
        })(ctx, press),
    },
    { id: `${prefix}:erase`, keys: [erase], label: 'delete', help: 'delete the last character', run: withText((ctx, text) => field.set(ctx, [...text].slice(0, -1).join(''))) },
    { id: `${prefix}:submit`, keys: [named('return', 'Enter')], label: submit.label, help: submit.help, footer: true, run: withText(submit.run) },
    { id: `${prefix}:cancel`, keys: [named('escape', 'Esc')], label: cancel.label, help: cancel.help, footer: true, run: withText(cancel.run) },
  ];
}

/** What a move key asks for: a number of rows up (negative) or down, or an edge. */
export type Move = number | 'top' | 'bottom';

/**
 * Moving in a list or scrolling a text: the same keys in every pane and view. `what` is the
 * verb the help uses, `page` how many rows a page is there, `move` does the moving.
 */
export function movementKeys(what: 'move' | 'scroll', page: (ctx: KeyContext) => number, move: (ctx: KeyContext, to: Move) => void, options: { footer?: boolean } = {}): Binding[] {
  const label = what === 'move' ? 'choose' : 'scroll';
  return [
    { id: 'up', keys: [named('upArrow', '↑'), char('k')], label, help: `${what} up`, footer: options.footer, run: (ctx) => move(ctx, -1) },
    { id: 'down', keys: [named('downArrow', '↓'), char('j')], label, help: `${what} down`, footer: options.footer, run: (ctx) => move(ctx, 1) },
    { id: 'page-up', keys: [named('pageUp', 'PgUp'), ctrl('b')], label: 'page up', help: 'one page up', run: (ctx) => move(ctx, -page(ctx)) },
    { id: 'page-down', keys: [named('pageDown', 'PgDn'), ctrl('f')], label: 'page down', help: 'one page down', run: (ctx) => move(ctx, page(ctx)) },
    { id: 'top', keys: [named('home', 'Home'), char('g')], label: 'top', help: 'to the top', run: (ctx) => move(ctx, 'top') },
    { id: 'bottom', keys: [named('end', 'End'), char('G')], label: 'bottom', help: 'to the bottom', run: (ctx) => move(ctx, 'bottom') },
  ];
}

/** Where a move lands in a list of `length` rows, from `current`. */
export function moved(current: number, to: Move, length: number): number {
  const last = Math.max(0, length - 1);
  if (to === 'top') return 0;
  if (to === 'bottom') return last;
  return Math.max(0, Math.min(last, current + to));
}

/**
 * Ink hands a run of plain characters over as one input ("jjj" when a key repeats over a slow
 * link, "\t\t", a paste): split it into one key press per character.
 */
export function splitInput(input: string, key: KeyInput): KeyPress[] {
  const special = key.ctrl || key.meta || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
  const chars = [...input];
  if (special || chars.length <= 1) return [{ input, key }];
  return chars.map((ch) => ({
    input: ch === '\t' || ch === '\r' || ch === '\x7f' || ch === '\b' ? '' : ch,
    key: { ...NO_KEY, tab: ch === '\t', return: ch === '\r', backspace: ch === '\b', delete: ch === '\x7f', shift: ch !== ch.toLowerCase() },
  }));
}
