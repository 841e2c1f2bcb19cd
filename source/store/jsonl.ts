/** Append-only JSON-lines files: the archive and the audit trail are kept this way. */
import { appendFile, mkdir, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';

/**
 * Appends whole lines. An unfinished last line (a crash or a full disk mid-append) is cut off
 * first, so it is never glued to the next one: the archive's lines are copies of records that
 * stay in the store until the store write that follows the append.
 */
export async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await mkdir(path.dirname(file), { recursive: true });
  const end = await completeLength(file);
  if (end !== undefined) await truncate(file, end);
  await appendFile(file, lines.map((l) => `${l}\n`).join(''), 'utf8');
}

/** The length up to the last line break when the file ends in an unfinished line, else undefined. */
async function completeLength(file: string): Promise<number | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return undefined;
    for (let start = Math.max(0, size - 4096); ; start = Math.max(0, start - 4096)) {
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const at = buffer.lastIndexOf(0x0a);
      if (at >= 0) return start + at + 1;
      if (start === 0) return 0;
    }
  } finally {
    await handle.close();
  }
}

/** Every complete line; a last line cut short by a crash (no newline) is left out. */
export async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // '' after the final newline, or an incomplete line
  return lines.filter((l) => l.length > 0);
}
