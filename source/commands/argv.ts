/**
 * The command line's words as flags and positional input. Our own, small parser: meow and its
 * package.json normalisation took a fifth of a headless command's start-up.
 */
import { UsageError } from '../errors.js';

/** One flag, named in camelCase (`dataDir`) and given as kebab-case (`--data-dir`). */
export interface FlagSpec {
  type: 'string' | 'boolean' | 'number';
  default?: unknown;
  /** Given more than once, it collects every value in order; otherwise a second value is refused. */
  isMultiple?: boolean;
  /** One letter: `-h`. */
  shortFlag?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedArgv {
  /** Positional words, and every word after `--`. */
  input: string[];
  flags: Record<string, unknown>;
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A number flag's value as a number when it is one; otherwise the text, for the reader to name in its refusal. */
function numberValue(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

/**
 * Booleans: `--x`, `--no-x`, `--x=true|false`. Strings and numbers: `--x value` or `--x=value`;
 * a flag with no word after it (or only another flag) is given as '' and its reader refuses it.
 * Unknown flags are refused all at once, naming each.
 */
export function parseArgv(argv: readonly string[], specs: FlagSpecs): ParsedArgv {
  const byShort = new Map(Object.entries(specs).flatMap(([key, spec]) => (spec.shortFlag ? [[spec.shortFlag, key] as const] : [])));
  const input: string[] = [];
  const flags: Record<string, unknown> = {};
  const unknown: string[] = [];
  const set = (key: string, spec: FlagSpec, value: unknown, given: string) => {
    if (spec.isMultiple) {
      flags[key] = [...((flags[key] as unknown[] | undefined) ?? []), value];
    } else if (key in flags && spec.type !== 'boolean') {
      throw new UsageError(`The flag ${given} can only be set once.`);
    } else {
      flags[key] = value;
    }
  };
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i]!;
    if (word === '--') {
      input.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      input.push(word);
      continue;
    }
    const long = word.startsWith('--');
    const eq = word.indexOf('=');
    const name = word.slice(long ? 2 : 1, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : word.slice(eq + 1);
    const given = `${long ? '--' : '-'}${name}`;
    let key = long ? camel(name) : byShort.get(name);
    let negated = false;
    if (long && key !== undefined && !(key in specs) && name.startsWith('no-') && specs[camel(name.slice(3))]?.type === 'boolean') {
      key = camel(name.slice(3));
      negated = true;
    }
    const spec = key === undefined ? undefined : specs[key];
    if (key === undefined || spec === undefined) {
      unknown.push(given);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new UsageError(`The flag ${given} takes no value (or true/false), not "${inline}".`);
      }
      set(key, spec, negated !== (inline !== 'false'), given);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      const isValue = next !== undefined && (!next.startsWith('-') || next === '-' || (spec.type === 'number' && /^-\d/.test(next)));
      text = isValue ? next : '';
      if (isValue) i += 1;
    }
    set(key, spec, spec.type === 'number' ? numberValue(text) : text, given);
  }
  if (unknown.length > 0) {
    throw new UsageError(`Unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; \`ecp --help\` lists the commands and \`ecp <command> --help\` their flags.`);
  }
  for (const [key, spec] of Object.entries(specs)) if (!(key in flags) && spec.default !== undefined) flags[key] = spec.default;
  return { input, flags };
}
