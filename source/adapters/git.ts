/** simple-git, wrapped: the facts about HEAD that the tag policy and version records need. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { GitHeadFacts } from '../domain/image-tag.js';
import { UsageError } from '../errors.js';

export function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, binary: 'git', maxConcurrentProcesses: 4 });
}

async function packageVersion(dir: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

export async function headFacts(dir: string): Promise<GitHeadFacts> {
  const git = gitAt(dir);
  let commit: string;
  try {
    commit = (await git.revparse(['HEAD'])).trim();
  } catch {
    throw new UsageError(`${dir} is not a git work tree with at least one commit, so no image tag can be derived.`);
  }
  const [branchRaw, status, describe, version] = await Promise.all([
    git.raw(['rev-parse', '--abbrev-ref', 'HEAD']).then((s) => s.trim()),
    git.status(),
    git
      .raw(['describe', '--tags', '--abbrev=0', '--match', 'v*'])
      .then((s) => s.trim())
      .catch(() => undefined),
    packageVersion(dir),
  ]);
  return {
    branch: branchRaw === 'HEAD' ? undefined : branchRaw,
    commit,
    dirty: !status.isClean(),
    nearestVersionTag: describe || undefined,
    packageVersion: version,
  };
}
