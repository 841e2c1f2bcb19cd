/** Who is acting: git user.email where set, else the OS user (recorded on every record and event). */
import os from 'node:os';

/** Per work tree: one process may act for several (tests, `ecp serve` over several trees). */
const cached = new Map<string, Promise<string>>();

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
  let actor = cached.get(dir);
  if (!actor) cached.set(dir, (actor = lookup(dir)));
  return actor;
}
