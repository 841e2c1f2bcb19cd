/** A cross-process lock around a file (proper-lockfile): the console and CLI runs take turns. */
import lockfile from 'proper-lockfile';
import { StoreError } from '../errors.js';

const LOCK_OPTIONS = {
  realpath: false,
  // A holder killed with SIGKILL leaves its lock behind; it is taken over once stale.
  stale: 5_000,
  update: 1_000,
  retries: { retries: 2_000, factor: 1.3, minTimeout: 1, maxTimeout: 25, randomize: true },
} as const;

export async function withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, LOCK_OPTIONS);
  } catch (error) {
    throw new StoreError(`Could not lock ${file}: ${(error as Error).message}`);
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
