import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Tests spawn the real binary, real git, a sandbox API server and (in CI) a real Docker
    // engine: give them room, and run files in separate processes.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files spend their time waiting (on child processes, sandboxes, git, the engine, a
    // timeout to pass), not computing: two files per core, where vitest's default is one file
    // on a 2-core machine (cores − 1).
    maxWorkers: 2 * os.availableParallelism(),
    // Each worker process runs its files one after another instead of starting a process per
    // file: loading vitest, React, client-node and source/ once per worker, not 112 times, was
    // much of the suite's CPU (docs/benchmarks.md). Tests leave no global state behind them
    // (runEcpInProcess restores process.env and the working folder).
    isolate: false,
    // And so what a file left running is stopped as the file ends, not when its process exits.
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
