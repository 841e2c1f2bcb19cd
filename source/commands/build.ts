/** `ecp build [service...]` — build, push and register service images (issue 4). */
import type { ServiceBuildConfig } from '../config.js';
import { createCore } from '../core.js';
import { buildServices, defaultConcurrency, type BuildEvent, type BuildResult } from '../pipeline/build.js';
import { buildTargets } from '../pipeline/build-targets.js';
import { formatColumns, println, printJson, type Command, type CommandContext } from './command.js';
import { intFlag } from './flags.js';

const USAGE = '  ecp build [service...] [--concurrency N] [--no-push] [--json]';

function progressPrinter(ctx: CommandContext, services: readonly ServiceBuildConfig[]): (event: BuildEvent) => void {
  const width = Math.max(...services.map((s) => s.name.length));
  return (event) => {
    const indent = event.step === 'output' ? '    ' : '';
    for (const line of event.message.split('\n')) {
      println(ctx.io.stderr, `${event.service.padEnd(width)} | ${indent}${line}`);
    }
  };
}

function sizeText(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function summary(results: readonly BuildResult[]): string {
  return formatColumns(
    ['SERVICE', 'RESULT', 'IMAGE', 'VERSION', 'SIZE', 'BUILD'],
    results.map((r) => [r.service, r.outcome, r.image, r.versionId ?? '', sizeText(r.sizeBytes), r.buildDurationMs === undefined ? '' : `${(r.buildDurationMs / 1000).toFixed(1)}s`]),
  );
}

export const buildCommand: Command = {
  name: 'build',
  usage: `${USAGE}\n\n  Builds the services of ecp.config.yaml's \`services:\` list (all, or those named), up to N at\n  once (default: the number of CPUs), pushes them and registers each as a version.\n  --no-push builds only. Exit 1 when a build fails, 2 for a usage or engine error.`,
  flags: {
    concurrency: { type: 'number' },
    push: { type: 'boolean', default: true },
  },
  // Pushing and registering change the registry and the store; --no-push only builds locally.
  mutating: (ctx) => ctx.flags.push !== false,
  async run(ctx) {
    const { services } = buildTargets(ctx.config, ctx.input.length ? ctx.input : undefined);
    const concurrency = intFlag(ctx, 'concurrency', 1) ?? defaultConcurrency();
    const push = ctx.flags.push !== false;
    const core = createCore(ctx.config);
    const results = await buildServices(core, services, { concurrency, push, env: ctx.env }, progressPrinter(ctx, services));
    if (ctx.flags.json) printJson(ctx, results);
    else println(ctx.io.stdout, summary(results));
    const failed = results.filter((r) => r.outcome === 'failed');
    for (const f of failed) println(ctx.io.stderr, `ecp: ${f.service}: ${f.error ?? 'failed'}`);
    if (failed.length > 0) {
      println(ctx.io.stderr, `ecp: the build of ${failed.map((f) => f.service).join(', ')} failed.`);
      return 1;
    }
    return 0;
  },
};
