/**
 * Start-up benchmark (issue 18): whole-process wall time of `ecp --help` and `ecp versions list
 * callbot` (in the repository, as a user runs them) against `node -e 0` (the floor: Node's own
 * start), alternating, medians of repeated runs. Target: each ≤ 1.5 × `node -e 0`. The fastest
 * run of each is printed too: on a busy machine it is the nearest to a quiet one's median.
 *
 *   npx tsx bench/startup.ts        (or: npm run bench startup)
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { median, timed } from './lib/measure.js';

const RUNS = Number(process.env.ECP_BENCH_RUNS ?? 21);
const root = path.resolve(import.meta.dirname, '..');
const ecp = path.join(root, 'bin', 'ecp.js');
const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['ecp --help', [ecp, '--help']],
  ['ecp versions list callbot', [ecp, 'versions', 'list', 'callbot']],
];

execFileSync(process.execPath, [ecp, '--help'], { cwd: root, stdio: 'ignore' }); // builds the bundle when a source changed
const times = new Map(cases.map(([label]) => [label, [] as number[]]));
for (let run = 0; run < RUNS; run += 1) {
  for (const [label, args] of cases) times.get(label)!.push((await timed(process.execPath, args, { ...process.env, NO_COLOR: '1' })).ms);
}
const floor = median(times.get('node -e 0')!);
const fastestFloor = Math.min(...times.get('node -e 0')!);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${RUNS} alternating runs each, medians`,
);
for (const [label] of cases) {
  const ms = median(times.get(label)!);
  const fastest = Math.min(...times.get(label)!);
  console.log(
    `${label.padEnd(27)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / floor).toFixed(2)} × node -e 0${label === 'node -e 0' ? '' : '  (target ≤ 1.5)'}; fastest ${fastest.toFixed(0)} ms, ${(fastest / fastestFloor).toFixed(2)} ×`,
  );
}
