/**
 * Runs the kubectl scenario against one cluster and prints its normalised transcript, or against
 * two and prints their differences (exit 1 when they differ):
 *
 *   npx tsx test/sandbox/scenario/run.ts <kubeconfig> [<other kubeconfig>]
 *
 * SCENARIO_IMAGES="repo/web:v1,repo/web:v2" names two images the clusters can pull.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { differences, runScenario, transcript, type StepResult } from './scenario.js';

async function against(kubeconfig: string): Promise<StepResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-scenario-'));
  try {
    const images = process.env.SCENARIO_IMAGES?.split(',') as [string, string] | undefined;
    return await runScenario({ kubeconfig, cacheDir: path.join(dir, 'cache'), workDir: dir, images });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [first, second] = process.argv.slice(2);
if (!first) {
  process.stderr.write('usage: run.ts <kubeconfig> [<other kubeconfig>]\n');
  process.exit(2);
}
const a = await against(path.resolve(first));
if (!second) {
  process.stdout.write(`${transcript(a)}\n`);
} else {
  const diff = differences(a, await against(path.resolve(second)), [first, second]);
  if (!diff) process.stdout.write('The two clusters answered the scenario alike (known differences aside).\n');
  else {
    process.stdout.write(diff);
    process.exitCode = 1;
  }
}
