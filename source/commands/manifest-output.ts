/** Small output helpers shared by the manifest commands (tenants, services, update-manifests, validate, tag). */
import path from 'node:path';
import type { CommandContext } from './command.js';

/** A path relative to the working directory when it is inside it, else absolute. */
export function displayPath(ctx: Pick<CommandContext, 'cwd'>, absPath: string): string {
  const rel = path.relative(ctx.cwd, absPath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absPath;
}

/** Progress lines on stderr (stdout stays parseable), unless --json. */
export function progress(ctx: CommandContext): (event: { message: string; status: string; step: string }) => void {
  if (ctx.flags.json) return () => undefined;
  return (event) => {
    if (event.status === 'warn') ctx.io.stderr.write(`ecp: warning: ${event.message}\n`);
    else if (event.status === 'start' && event.step !== 'load') ctx.io.stderr.write(`ecp: ${event.message}…\n`);
  };
}

/** `v1` → `v1`; undefined → `(no tag)`. */
export function tagText(tag: string | undefined): string {
  return tag ?? '(no tag)';
}
