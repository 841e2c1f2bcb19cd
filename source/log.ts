import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Verbose log on stderr, on only with DEBUG=1 (DESIGN §4). Never pass secrets here. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DEBUG === '1' || env.DEBUG === 'true';
}

export function debug(scope: string, message: string): void {
  if (!debugEnabled()) return;
  process.stderr.write(`[debug ${new Date().toISOString()} ${scope}] ${message}\n`);
}

/** Sends writes to `stream` into `file` until the returned function is called. */
export function redirectStderr(stream: NodeJS.WriteStream, file: string): () => void {
  const original = stream.write;
  mkdirSync(path.dirname(file), { recursive: true });
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown) => {
    try {
      appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
    } catch {
      // nowhere to write: drop it rather than tear the screen
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') (done as () => void)();
    return true;
  };
  stream.write = write as typeof stream.write;
  return () => {
    stream.write = original;
  };
}
