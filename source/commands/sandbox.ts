/**
 * `ecp sandbox`: runs the Kubernetes API simulator on its own, seeded from the manifests, with a
 * kubeconfig for kubectl or the console, until Ctrl-C / SIGTERM.
 */
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DURATION_BOUNDS, durationProblem } from '../domain/duration.js';
import { EcpError, errorMessage, fsProblem, UsageError } from '../errors.js';
import { startSeededSandbox } from '../pipeline/cluster-session.js';
import { println, type Command } from './command.js';
import { intFlag, stringFlag } from './flags.js';

/** Throws a UsageError when the sandbox could not write its kubeconfig to `file`. */
function kubeconfigPathProblem(file: string): void {
  const folder = path.dirname(file);
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--kubeconfig ${file} is a folder; name a file to write.`);
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--kubeconfig ${file} cannot be written: ${fsProblem(error, folder)}.`);
  }
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  usage: [
    '  ecp sandbox [--port P] [--kubeconfig FILE] [--seed DIR] [--deployments N] [--no-rollouts]',
    '              [--fail-image REGEX] [--step-ms MS]',
    '',
    '  --seed DIR        manifests to start from (default the configured manifests folder)',
    '  --deployments N   also generate N Deployments (tenant-01… × 20 services)',
    '  --no-rollouts     objects change only when clients write (no controller)',
    '  --fail-image RE   images matching RE never pull (ImagePullBackOff); change it at run time with',
    '                    curl -X POST -d \'{"pattern":"RE"}\' http://127.0.0.1:P/sandbox/fail-image',
    '                    ({"pattern":null} clears it; GET shows it)',
    '  --step-ms MS      time between two rollout steps (default 1000)',
  ].join('\n'),
  flags: {
    port: { type: 'number' },
    kubeconfig: { type: 'string' },
    seed: { type: 'string' },
    deployments: { type: 'number' },
    rollouts: { type: 'boolean', default: true },
    failImage: { type: 'string' },
    stepMs: { type: 'number' },
  },
  async run(ctx) {
    const port = intFlag(ctx, 'port', 0) ?? 0;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}.`);
    const deployments = intFlag(ctx, 'deployments', 0) ?? 0;
    const stepMs = intFlag(ctx, 'stepMs', 1);
    const stepProblem = stepMs === undefined ? undefined : durationProblem(`--step-ms ${stepMs}`, stepMs, DURATION_BOUNDS.sandboxStep);
    if (stepProblem) throw new UsageError(stepProblem);
    const explicitSeed = stringFlag(ctx, 'seed');
    const seedDir = explicitSeed ? path.resolve(ctx.cwd, explicitSeed) : ctx.config.manifestsDir;
    if (explicitSeed && !existsSync(seedDir)) throw new UsageError(`Seed folder ${seedDir} (--seed) does not exist.`);
    const pattern = stringFlag(ctx, 'failImage');
    let failImage: RegExp | undefined;
    try {
      failImage = pattern === undefined ? undefined : new RegExp(pattern);
    } catch (error) {
      throw new UsageError(`--fail-image "${pattern}" is not a valid regular expression: ${errorMessage(error)}`);
    }

    // Checked before listening: a refusal after it would leave the server holding the process open.
    const chosen = stringFlag(ctx, 'kubeconfig');
    if (chosen) kubeconfigPathProblem(path.resolve(ctx.cwd, chosen));

    let sandbox;
    try {
      sandbox = await startSeededSandbox({
        port,
        seed: seedDir,
        deployments,
        rollouts: ctx.flags.rollouts !== false,
        failImage,
        stepMs,
        // Nothing reads the request log of a sandbox of its own (a record is ~640 bytes).
        requestLog: 0,
      });
    } catch (error) {
      throw new EcpError(`The sandbox could not start: ${errorMessage(error)}`);
    }
    let kubeconfig: string;
    try {
      kubeconfig = await sandbox.writeKubeconfig(chosen ? path.resolve(ctx.cwd, chosen) : path.join(os.tmpdir(), `ecp-sandbox-${sandbox.port}.kubeconfig`));
    } catch (error) {
      await sandbox.stop();
      throw new UsageError(`The sandbox's kubeconfig could not be written: ${fsProblem(error, chosen ?? os.tmpdir())}.`);
    }

    const err = ctx.io.stderr;
    println(err, `ecp sandbox: Kubernetes API on ${sandbox.url}${existsSync(seedDir) ? ` (seeded from ${seedDir})` : ''}`);
    println(err, `kubeconfig: ${kubeconfig}`);
    println(err, `try:        kubectl --kubeconfig ${kubeconfig} get deploy -A`);
    println(err, `fail pulls: curl -X POST -d '{"pattern":"broken"}' ${sandbox.url}/sandbox/fail-image`);
    println(err, 'Press Ctrl-C to stop.');

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await sandbox.stop();
    if (!chosen) rmSync(kubeconfig, { force: true });
    println(err, 'ecp sandbox: stopped.');
    return 0;
  },
};
