/** Who is acting: git user.email where set, else the OS user (recorded on every record and event). */
import os from 'node:os';
import { gitAt } from './git.js';

let cached: Promise<string> | undefined;

async function lookup(dir: string): Promise<string> {
  try {
    const email = (await gitAt(dir).raw(['config', '--get', 'user.email'])).trim();
    if (email) return email;
  } catch {
    // not a repository, or no user.email: fall back to the OS user
  }
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function currentActor(dir: string): Promise<string> {
  cached ??= lookup(dir);
  return cached;
}
