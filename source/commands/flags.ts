/** Flag readers that turn a bad value into one clear sentence (exit 2). */
import { UsageError } from '../errors.js';
import type { CommandContext } from './command.js';

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.flags[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${kebab(name)} needs a value.`);
  return value;
}

export function stringListFlag(ctx: CommandContext, name: string): string[] {
  const value = ctx.flags[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string' || item === '') throw new UsageError(`--${kebab(name)} needs a value.`);
  }
  return list as string[];
}

export function intFlag(ctx: CommandContext, name: string, min = 0): number | undefined {
  const raw = ctx.flags[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${kebab(name)} must be a whole number of at least ${min}, not "${String(raw)}".`);
  }
  return value;
}

export function boolFlag(ctx: CommandContext, name: string): boolean {
  return ctx.flags[name] === true;
}

export function requireInput(ctx: CommandContext, index: number, what: string, usage: string): string {
  const value = ctx.input[index];
  if (value === undefined || value === '') throw new UsageError(`Missing ${what}. Usage: ${usage}`);
  return value;
}

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
