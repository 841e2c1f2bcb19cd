/**
 * simple-git for `ecp tag`: the work tree's top, changes under one folder, files at HEAD, a
 * commit of only that folder (other staged or dirty files stay as they are), annotated tags and a
 * push of the commit and the tag. Paths are literal pathspecs; errors become one sentence.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { gitAt } from './git.js';

function gitError(what: string, error: unknown): UsageError {
  const text = error instanceof Error ? error.message : String(error);
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^(fatal|error):/.test(l)) ?? text.split('\n')[0]!.trim();
  return new UsageError(`${what} failed: ${line.replace(/^(fatal|error):\s*/, '')}`);
}

const literal = (args: string[]) => ['--literal-pathspecs', ...args];

/** The top folder of the work tree holding `dir`, with symlinks resolved. */
export async function workTreeTop(dir: string): Promise<string> {
  let top: string;
  try {
    top = (await gitAt(dir).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new UsageError(`${dir} is not inside a git work tree; ecp tag commits the manifests there (the folder of the config file, or the current folder).`);
  }
  return realpathSync(top);
}

/** `dir` relative to the work tree top, or undefined when it is outside. */
export function insideWorkTree(top: string, dir: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    real = path.resolve(dir);
  }
  const rel = path.relative(top, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** Paths (relative to the top) with any change under `relDir`: modified, added, deleted, untracked. */
export async function changedUnder(top: string, relDir: string): Promise<string[]> {
  const out = await gitAt(top)
    .raw(literal(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', relDir]))
    .catch((error) => {
      throw gitError('git status', error);
    });
  const paths: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i += 1) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    paths.push(entry.slice(3));
    if (code.startsWith('R') || code.startsWith('C')) i += 1; // the original path follows
  }
  return paths;
}

/** True when `rev` names an object. (simple-git resolves a failed quiet command with empty output.) */
async function revExists(top: string, rev: string): Promise<boolean> {
  try {
    return (await gitAt(top).raw(['rev-parse', '--verify', '-q', rev])).trim() !== '';
  } catch {
    return false;
  }
}

export function hasHead(top: string): Promise<boolean> {
  return revExists(top, 'HEAD');
}

/** Files under `relDir` at HEAD (relative to the top). */
export async function filesAtHead(top: string, relDir: string): Promise<string[]> {
  if (!(await hasHead(top))) return [];
  const out = await gitAt(top).raw(literal(['ls-tree', '-r', '-z', '--name-only', 'HEAD', '--', relDir]));
  return out.split('\0').filter(Boolean);
}

/** A file's text at HEAD, or undefined when HEAD does not have it. */
export async function textAtHead(top: string, relPath: string): Promise<string | undefined> {
  try {
    return await gitAt(top).raw(['show', `HEAD:${relPath}`]);
  } catch {
    return undefined;
  }
}

/** Stages every change under `relDir` and commits only that folder; returns the commit hash. */
export async function commitFolder(top: string, relDir: string, message: string): Promise<string> {
  const git = gitAt(top);
  try {
    await git.raw(literal(['add', '-A', '--', relDir]));
    await git.raw(literal(['commit', '-q', '--only', '-m', message, '--', relDir]));
  } catch (error) {
    throw gitError('git commit', error);
  }
  return (await git.raw(['rev-parse', 'HEAD'])).trim();
}

export async function currentBranch(top: string): Promise<string | undefined> {
  const name = (
    await gitAt(top)
      .raw(['rev-parse', '--abbrev-ref', 'HEAD'])
      .catch(() => 'HEAD')
  ).trim();
  return name === 'HEAD' ? undefined : name;
}

export function tagExists(top: string, name: string): Promise<boolean> {
  return revExists(top, `refs/tags/${name}`);
}

/** git's own rule for ref names (exit code only, which simple-git does not report for a silent failure). */
export function isValidTagName(top: string, name: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('git', ['check-ref-format', `refs/tags/${name}`], { cwd: top }, (error) => resolve(!error));
  });
}

export async function createAnnotatedTag(top: string, name: string, message: string, commit: string): Promise<void> {
  try {
    await gitAt(top).raw(['tag', '-a', name, '-m', message, commit]);
  } catch (error) {
    throw gitError(`git tag ${name}`, error);
  }
}

export async function remoteUrl(top: string, remote: string): Promise<string | undefined> {
  try {
    return (await gitAt(top).raw(['remote', 'get-url', remote])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Pushes the branch (when there is one) and the tag in one atomic push. */
export async function pushCommitAndTag(top: string, remote: string, branch: string | undefined, tag: string): Promise<void> {
  const refs = [...(branch ? [`refs/heads/${branch}:refs/heads/${branch}`] : []), `refs/tags/${tag}:refs/tags/${tag}`];
  try {
    await gitAt(top).raw(['push', '--atomic', '--porcelain', remote, ...refs]);
  } catch (error) {
    throw gitError(`git push to ${remote}`, error);
  }
}

/** The message of an annotated tag (tests, display). */
export async function tagMessage(top: string, name: string): Promise<string> {
  return (await gitAt(top).raw(['tag', '-l', '--format=%(contents)', name])).trimEnd();
}

/** Every annotated tag of the repository with its message (`audit verify --against-git`). */
export async function annotatedTags(top: string): Promise<{ name: string; message: string }[]> {
  const out = await gitAt(top)
    .raw(['for-each-ref', '--format=%(objecttype) %(refname:short)%00%(contents)%00', 'refs/tags'])
    .catch((error) => {
      throw gitError('git for-each-ref', error);
    });
  const parts = out.split('\0');
  const tags: { name: string; message: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [type, ...name] = parts[i]!.trim().split(' ');
    if (type === 'tag') tags.push({ name: name.join(' '), message: parts[i + 1]! });
  }
  return tags;
}
