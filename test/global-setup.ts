/** Real services are started by .ci/run (see scripts/test-env.sh); here only the binary's bundle is made. */
import { execFileSync } from 'node:child_process';
import { ecpBin } from './helpers/run-ecp.js';

export async function setup(): Promise<void> {
  // Built once before the first test, instead of by every test process that spawns ecp first
  // (each would build its own copy at the same time, and print that it does on stderr).
  execFileSync(process.execPath, [ecpBin, '--version'], { stdio: 'ignore' });
}
