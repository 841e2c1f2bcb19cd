/** Who is acting: git user.email where set, else the OS user (recorded on every record and event). */
import os from 'node:os';

let cached: Promise<string> | undefined;

async function lookup(dir: string): Promise<string> {
  // simple-git loads here, not at start-up: most commands never ask who is acting.
  const { gitAt } = await import('./git.js');
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
