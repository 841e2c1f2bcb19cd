/**
 * `e` in the console: the command that opens a service's manifest file in the operator's editor
 * ($VISUAL, else $EDITOR, else vi), at the object's line where the editor takes `+LINE`. ecp
 * writes nothing itself: the operator edits, and the console re-reads what the file then says.
 */
import path from 'node:path';
import type { Core } from '../core.js';

/** Editors that open a file at a line given as `+LINE` before it. */
const TAKES_PLUS_LINE = new Set(['vi', 'vim', 'nvim', 'view', 'nano', 'emacs', 'emacsclient', 'micro', 'kak', 'joe', 'mg', 'ne']);

export interface EditorCommand {
  command: string;
  args: string[];
  /** The file, absolute. */
  file: string;
  /** What the status line calls the editor. */
  editor: string;
}

/** `file` is relative to the manifests folder (as the console's rows name it), `line` 1-based. */
export function manifestEditCommand(core: Core, env: NodeJS.ProcessEnv, file: string, line: number): EditorCommand {
  const absolute = path.resolve(core.config.manifestsDir, file);
  // $EDITOR may carry arguments ("code --wait"): split as a shell would split plain words.
  const [command = 'vi', ...given] = (env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi').split(/\s+/);
  const atLine = TAKES_PLUS_LINE.has(path.basename(command)) && line > 0 ? [`+${line}`] : [];
  return { command, args: [...given, ...atLine, absolute], file: absolute, editor: path.basename(command) };
}
