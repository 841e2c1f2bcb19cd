/**
 * The `:` command line (k9s's): a command word, an argument where it takes one, completion of
 * both. Each command does what a key does; nothing here changes files or the cluster.
 */
import type { KeyContext } from './model/ui-actions.js';
import type { ConsoleState } from './model/state.js';

export interface ConsoleCommand {
  name: string;
  /** What the argument names ("tenant"), when it takes one. */
  argument?: string;
  help: string;
  /** The argument's possible values, for completion and checking. */
  values?(state: ConsoleState): string[];
  run(ctx: KeyContext, argument: string): void;
}

const panes = (ctx: KeyContext, pane: 'services' | 'history' | 'log') => {
  ctx.dispatch({ type: 'view', view: 'panes' });
  ctx.dispatch({ type: 'focus', pane });
};

export const COMMANDS: readonly ConsoleCommand[] = [
  {
    name: 'tenant',
    argument: 'tenant',
    help: 'choose the tenant NAME',
    values: (state) => state.tenants.map((t) => t.id),
    run: (ctx, tenantId) => ctx.dispatch({ type: 'tenant/select', tenantId }),
  },
  { name: 'fleet', help: 'every service × every tenant', run: (ctx) => ctx.dispatch({ type: 'view', view: 'fleet' }) },
  { name: 'services', help: 'the panes, on the services', run: (ctx) => panes(ctx, 'services') },
  { name: 'history', help: 'the version history of the selected service', run: (ctx) => panes(ctx, 'history') },
  { name: 'log', help: 'the pipeline log', run: (ctx) => panes(ctx, 'log') },
  { name: 'approvals', help: 'the approvals', run: (ctx) => ctx.openApprovals() },
  { name: 'help', help: 'every key', run: (ctx) => ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'help', index: 0 } }) },
  { name: 'q', help: 'quit (asks first while a step runs)', run: (ctx) => ctx.quit() },
  { name: 'quit', help: 'quit (asks first while a step runs)', run: (ctx) => ctx.quit() },
];

/** The one of `values` that `word` names: itself, else the only one it begins. */
function pick(values: readonly string[], word: string): string | undefined {
  if (values.includes(word)) return word;
  const starting = values.filter((v) => v.startsWith(word));
  return starting.length === 1 ? starting[0] : undefined;
}

function commonPrefix(values: readonly string[]): string {
  if (values.length === 0) return '';
  let prefix = values[0]!;
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export interface Completion {
  /** What Tab makes of the text (the text itself when nothing can be added). */
  text: string;
  /** What could follow: command names, or the argument's values, matching what is typed. */
  candidates: string[];
}

/** Completes the command word, then its argument, as far as every candidate agrees. */
export function complete(text: string, state: ConsoleState): Completion {
  const space = text.indexOf(' ');
  if (space < 0) {
    const candidates = COMMANDS.map((c) => c.name).filter((n) => n.startsWith(text));
    if (candidates.length === 1) {
      const command = COMMANDS.find((c) => c.name === candidates[0])!;
      return { text: `${command.name}${command.argument ? ' ' : ''}`, candidates };
    }
    return { text: commonPrefix(candidates).length > text.length ? commonPrefix(candidates) : text, candidates };
  }
  const command = COMMANDS.find((c) => c.name === text.slice(0, space));
  const typed = text.slice(space + 1).trimStart();
  const candidates = (command?.values?.(state) ?? []).filter((v) => v.startsWith(typed));
  const prefix = commonPrefix(candidates);
  return { text: prefix.length > typed.length ? `${text.slice(0, space)} ${prefix}` : text, candidates };
}

/** The command `text` names, with its argument; or the sentence saying what is wrong with it. */
export function parseCommand(text: string, state: ConsoleState): { command: ConsoleCommand; argument: string } | { problem: string } {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  const names = COMMANDS.map((c) => c.name);
  const name = pick(names, word);
  if (!name) return { problem: word ? `There is no command ":${word}"; the commands are ${names.map((n) => `:${n}`).join(', ')}.` : 'Type a command: :fleet, :tenant NAME, … (Tab completes).' };
  const command = COMMANDS.find((c) => c.name === name)!;
  const argument = rest.join(' ');
  if (!command.argument) return argument ? { problem: `:${name} takes no argument ("${argument}").` } : { command, argument };
  const values = command.values?.(state) ?? [];
  if (!argument) return { problem: `:${name} needs a ${command.argument}: ${values.join(', ') || `no ${command.argument} is listed`}.` };
  const value = pick(values, argument);
  if (!value) return { problem: `There is no ${command.argument} "${argument}"; ${values.length ? `the ${command.argument}s are ${values.join(', ')}` : `no ${command.argument} is listed`}.` };
  return { command, argument: value };
}
