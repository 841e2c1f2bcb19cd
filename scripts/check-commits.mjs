#!/usr/bin/env node
// Commit subjects stay under 72 characters, the why in the body (DEVELOPERS.md, issue 14):
// checked for every commit since this check was added (older history is what it is).
// Part of `npm run lint`; outside a git checkout, or in a shallow one, it says so and passes.
import { execFileSync } from 'node:child_process';

const MAX = 72;
// Landed on merged branches before the check ran on them (73–74 characters); history is not rewritten.
const LANDED = ['98d9746', 'e975aa7', '176e1ae'];
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
let since;
try {
  since = git('log', '--diff-filter=A', '--format=%H', '--', 'scripts/check-commits.mjs').split('\n').pop();
} catch {
  console.log('check-commits: not a git checkout; commit subjects not checked.');
  process.exit(0);
}
if (!since) process.exit(0); // not committed yet: nothing of ours to check
const long = git('log', '--no-merges', '--format=%h %s', `${since}^..HEAD`)
  .split('\n')
  .filter(Boolean)
  .filter((line) => line.slice(line.indexOf(' ') + 1).length > MAX && !LANDED.some((hash) => line.startsWith(hash)));
if (long.length) {
  console.error(`check-commits: ${long.length} commit subject(s) longer than ${MAX} characters (put the why in the body):`);
  for (const line of long) console.error(`  ${line}`);
  process.exit(1);
}
