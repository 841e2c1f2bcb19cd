/**
 * The quick bundle's entry (issue 18). bin/ecp.js runs every command line from this bundle
 * first: one CommonJS script, compiled from V8's code cache (Node 20 has no code cache for ES
 * modules, and loading the full bundle's ~30 chunks cost more than the command's own work). The
 * build leaves out of it what talks to a cluster, serves, or draws the console
 * (scripts/build-bundle.mjs); where the command line reaches one of those, it throws
 * NotInQuickBundle before anything but the config has been read, and `runQuick` resolves to
 * undefined: bin/ecp.js then runs the command line from the full bundle (source/cli.tsx).
 */
import { runThisProcess } from './command-line.js';
import { NotInQuickBundle } from './errors.js';

/** The command line's exit code, or undefined when the full bundle is to run it. */
export async function runQuick(): Promise<number | undefined> {
  try {
    return await runThisProcess(async () => {
      throw new NotInQuickBundle('the console');
    });
  } catch (error) {
    if (error instanceof NotInQuickBundle) return undefined;
    throw error;
  }
}
