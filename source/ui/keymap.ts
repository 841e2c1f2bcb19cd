/**
 * Every key the console knows, in one table: the input owner matches keys against it, the footer
 * shows the keys of the focused pane from it, and the `?` help lists it. A binding to a pipeline
 * action exists only when that action is available; a mutating one is hidden in read-only mode.
 */
import type { Key } from 'ink';
import { availableActions, type ActionId } from './actions.js';
import type { Pane } from './model/state.js';

export type CommandId =
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'top'
  | 'bottom'
  | 'next-pane'
  | 'prev-pane'
  | 'open-tenant'
  | 'details'
  | 'log-output'
  | 'filter'
  | 'refresh'
  | 'help'
  | 'back'
  | 'quit'
  | 'action'
  | 'approvals'
  | 'approve'
  | 'reject'
  | 'close';

export type KeyInput = Pick<Key, 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'shift' | 'tab' | 'backspace' | 'delete' | 'meta'>;

export interface KeySpec {
  /** How the key is written in the footer and help. */
  display: string;
  matches(input: string, key: KeyInput): boolean;
}

export interface Binding {
  command: CommandId;
  /** For command 'action': which pipeline action. */
  action?: ActionId;
  keys: KeySpec[];
  /** Short word for the footer. */
  label: string;
  /** One line for the help overlay. */
  help: string;
  /** Panes where the key applies; undefined: everywhere. */
  panes?: readonly Pane[];
  /** Changes something (files, registry, git, cluster, store): hidden in read-only mode. */
  mutating?: boolean;
  /** Shown in the footer (navigation keys everyone knows are left to help). */
  footer?: boolean;
}

const plain = (key: KeyInput) => !key.ctrl && !key.meta;

export const char = (c: string, display = c): KeySpec => ({ display, matches: (input, key) => input === c && plain(key) });
export const ctrl = (c: string): KeySpec => ({ display: `Ctrl-${c.toUpperCase()}`, matches: (input, key) => input === c && key.ctrl });
const named = (name: keyof KeyInput, display: string, shift?: boolean): KeySpec => ({
  display,
  matches: (_input, key) => key[name] === true && (shift === undefined || key.shift === shift),
});

const SERVICE_PANES: readonly Pane[] = ['services', 'history'];

/** Moving in a list: the same keys in every pane and view. */
const MOVEMENT: readonly Binding[] = [
  { command: 'up', keys: [named('upArrow', '↑'), char('k')], label: 'up', help: 'move up' },
  { command: 'down', keys: [named('downArrow', '↓'), char('j')], label: 'down', help: 'move down' },
  { command: 'page-up', keys: [named('pageUp', 'PgUp'), ctrl('b')], label: 'page up', help: 'one page up' },
  { command: 'page-down', keys: [named('pageDown', 'PgDn'), ctrl('f')], label: 'page down', help: 'one page down' },
  { command: 'top', keys: [named('home', 'Home'), char('g')], label: 'top', help: 'first row' },
  { command: 'bottom', keys: [named('end', 'End'), char('G')], label: 'bottom', help: 'last row' },
];

export const BINDINGS: readonly Binding[] = [
  ...MOVEMENT,
  { command: 'next-pane', keys: [named('tab', 'Tab', false), named('rightArrow', '→')], label: 'pane', help: 'next pane', footer: true },
  { command: 'prev-pane', keys: [named('tab', 'Shift-Tab', true), named('leftArrow', '←')], label: 'prev pane', help: 'previous pane' },
  { command: 'open-tenant', keys: [named('return', 'Enter')], label: 'services', help: 'show the services of the tenant', panes: ['tenants'], footer: true },
  { command: 'details', keys: [named('return', 'Enter')], label: 'details', help: 'details of the service: manifest, images, live containers, deployments', panes: SERVICE_PANES, footer: true },
  { command: 'log-output', keys: [named('return', 'Enter')], label: 'output', help: 'the whole output of the step', panes: ['log'], footer: true },
  { command: 'action', action: 'build', keys: [char('b')], label: 'build', help: 'build, push and register the selected service', panes: SERVICE_PANES, mutating: true, footer: true },
  { command: 'action', action: 'build-all', keys: [char('B')], label: 'build all', help: 'build every service of the tenant', mutating: true, footer: true },
  { command: 'action', action: 'update', keys: [char('u')], label: 'update', help: "update the selected service's manifest to its newest ready version", panes: SERVICE_PANES, mutating: true, footer: true },
  { command: 'action', action: 'update-all', keys: [char('U')], label: 'update all', help: "update every service's manifest of the tenant", mutating: true, footer: true },
  { command: 'action', action: 'validate', keys: [char('v')], label: 'validate', help: "validate the tenant's manifests", footer: true },
  { command: 'action', action: 'tag', keys: [char('t')], label: 'tag', help: "commit the tenant's manifests and make a deploy tag", mutating: true, footer: true },
  { command: 'action', action: 'deploy', keys: [char('d')], label: 'deploy', help: 'deploy the selected service (build, update, validate, apply, wait, tag)', panes: SERVICE_PANES, mutating: true, footer: true },
  { command: 'action', action: 'deploy-all', keys: [char('D')], label: 'deploy all', help: 'deploy every service of the tenant', mutating: true, footer: true },
  { command: 'action', action: 'rollback', keys: [char('r')], label: 'rollback', help: 'roll the selected service back: pick the version, give a reason, confirm', panes: SERVICE_PANES, mutating: true, footer: true },
  { command: 'approvals', keys: [char('a')], label: 'approvals', help: 'approvals: pending ones first; approve or reject the selected one', footer: true },
  { command: 'refresh', keys: [char('R')], label: 'refresh', help: 're-read manifests, store and cluster now', footer: true },
  { command: 'filter', keys: [char('/')], label: 'filter', help: 'filter services (words match name, tags and states)', footer: true },
  { command: 'help', keys: [char('?')], label: 'help', help: 'this help', footer: true },
  { command: 'back', keys: [named('escape', 'Esc')], label: 'back', help: 'close, cancel, clear the filter' },
  { command: 'quit', keys: [char('q'), ctrl('c')], label: 'quit', help: 'quit (asks first while a step runs)', footer: true },
];

/**
 * Keys of the approvals view (`a`). Approve and reject change the store: hidden in read-only mode
 * (they are not an operator's: an approver who is not an operator decides too).
 */
export const APPROVAL_BINDINGS: readonly Binding[] = [
  ...MOVEMENT.map((b) => ({ ...b, help: `approvals: ${b.help}` })),
  { command: 'approve', keys: [char('y'), named('return', 'Enter')], label: 'approve', help: 'approvals: approve the selected one (not your own; asks first)', mutating: true, footer: true },
  { command: 'reject', keys: [char('n')], label: 'reject', help: 'approvals: reject the selected one (type the reason)', mutating: true, footer: true },
  { command: 'close', keys: [named('escape', 'Esc'), char('a'), char('q')], label: 'close', help: 'approvals: close the view', footer: true },
];

const APPROVAL_BINDINGS_READ_ONLY = APPROVAL_BINDINGS.filter((b) => !b.mutating);

/** The approvals view's keys in force: without approve and reject in read-only mode. */
export function approvalBindings(readOnly: boolean): readonly Binding[] {
  return readOnly ? APPROVAL_BINDINGS_READ_ONLY : APPROVAL_BINDINGS;
}

/** Keys inside dialogs and overlays (shown in their footers and in help). */
export const DIALOG_KEYS = {
  help: [
    ['↑↓', 'scroll'],
    ['Esc ? q', 'close'],
  ],
  details: [['Esc q', 'back']],
  'log-details': [
    ['↑↓', 'scroll'],
    ['Esc q', 'back'],
  ],
  list: [
    ['↑↓ j k', 'choose'],
    ['Enter', 'next'],
    ['Esc', 'cancel'],
  ],
  text: [
    ['Enter', 'next'],
    ['Esc', 'cancel'],
  ],
  confirm: [
    ['y Enter', 'confirm'],
    ['n Esc', 'cancel'],
  ],
  typed: [
    ['type the word, Enter', 'confirm'],
    ['Esc', 'cancel'],
  ],
  filter: [
    ['Enter', 'keep'],
    ['Esc', 'clear'],
  ],
  quit: [
    ['y', 'quit'],
    ['n Esc', 'stay'],
  ],
  'approve-confirm': [
    ['y Enter', 'approve'],
    ['n Esc', 'back'],
  ],
  'reject-reason': [
    ['type the reason, Enter', 'reject'],
    ['Esc', 'back'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;

export type DialogKeys = keyof typeof DIALOG_KEYS;

export interface KeymapOptions {
  readOnly: boolean;
  /** Pipeline actions that exist; keys of the others are left out. */
  available: ReadonlySet<ActionId>;
}

export function activeBindings(options: KeymapOptions): Binding[] {
  return BINDINGS.filter((b) => (b.action === undefined || options.available.has(b.action)) && !(options.readOnly && b.mutating));
}

const cache = new Map<string, Binding[]>();

/** The bindings in force: read-only mode hides mutating keys; actions needing a cluster wait for one. */
export function bindingsFor(readOnly: boolean, clusterConnected: boolean): Binding[] {
  const key = `${readOnly}/${clusterConnected}`;
  let bindings = cache.get(key);
  if (!bindings) {
    bindings = activeBindings({ readOnly, available: availableActions({ cluster: clusterConnected }) });
    cache.set(key, bindings);
  }
  return bindings;
}

export function appliesIn(binding: Binding, pane: Pane): boolean {
  return binding.panes === undefined || binding.panes.includes(pane);
}

export function bindingFor(bindings: readonly Binding[], pane: Pane, input: string, key: KeyInput): Binding | undefined {
  return bindings.find((b) => appliesIn(b, pane) && b.keys.some((k) => k.matches(input, key)));
}

/** The footer's keys for a pane: help first (it lists the rest), then in keymap order. */
export function footerBindings(bindings: readonly Binding[], pane: Pane): Binding[] {
  const shown = bindings.filter((b) => b.footer && appliesIn(b, pane));
  return [...shown.filter((b) => b.command === 'help'), ...shown.filter((b) => b.command !== 'help')];
}

export function keysText(binding: Binding): string {
  return binding.keys.map((k) => k.display).join(' ');
}

const NO_KEY: KeyInput = {
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

/**
 * Ink hands a run of plain characters over as one input ("jjj" when a key repeats over a slow
 * link, "\t\t", a paste): split it into one key press per character.
 */
export function splitInput(input: string, key: KeyInput): { input: string; key: KeyInput }[] {
  const special = key.ctrl || key.meta || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
  const chars = [...input];
  if (special || chars.length <= 1) return [{ input, key }];
  return chars.map((ch) => ({
    input: ch === '\t' || ch === '\r' || ch === '\x7f' || ch === '\b' ? '' : ch,
    key: { ...NO_KEY, tab: ch === '\t', return: ch === '\r', backspace: ch === '\b', delete: ch === '\x7f', shift: ch !== ch.toLowerCase() },
  }));
}
