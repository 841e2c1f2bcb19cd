/** `ecp build [service...]` — build, push and register service images (issue 4). */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServiceBuildConfig } from '../config.js';
import { createCore } from '../core.js';
import { UsageError } from '../errors.js';
import { buildServices, defaultConcurrency, type BuildEvent, type BuildResult } from '../pipeline/build.js';
import { formatColumns, println, printJson, type Command, type CommandContext } from './command.js';
import { intFlag } from './flags.js';

const USAGE = '  ecp build [service...] [--concurrency N] [--no-push] [--json]';

/** The configured services the command line names (all when it names none). */
export function selectServices(ctx: CommandContext): ServiceBuildConfig[] {
  const configured = ctx.config.services;
  const where = ctx.config.configFile ?? `ecp.config.yaml (none found in ${ctx.config.baseDir})`;
  if (configured.length === 0) {
    throw new UsageError(`No services are configured to build: add a \`services:\` list to ${where} (see ecp.config.example.yaml).`);
  }
  if (ctx.input.length === 0) return configured;
  const unknown = ctx.input.filter((name) => !configured.some((s) => s.name === name));
  if (unknown.length > 0) {
    const names = unknown.map((n) => `"${n}"`).join(', ');
    throw new UsageError(
      `${unknown.length === 1 ? 'Service' : 'Services'} ${names} ${unknown.length === 1 ? 'is' : 'are'} not in the \`services:\` list of ${where} (configured: ${configured.map((s) => s.name).join(', ')}).`,
    );
  }
  const wanted = new Set(ctx.input);
  return configured.filter((s) => wanted.has(s.name));
}

/** A missing context or Dockerfile is a config error, found before anything is built. */
function checkSources(services: readonly ServiceBuildConfig[]): void {
  for (const s of services) {
    if (!existsSync(s.context) || !statSync(s.context).isDirectory()) {
      throw new UsageError(`The build context of service ${s.name}, ${s.context}, is not a folder.`);
    }
    const dockerfile = path.resolve(s.context, s.dockerfile);
    if (!existsSync(dockerfile)) throw new UsageError(`The Dockerfile of service ${s.name}, ${dockerfile}, does not exist.`);
  }
}

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
    results.map((r) => [
      r.service,
      r.outcome,
      r.image,
      r.versionId ?? '',
      sizeText(r.sizeBytes),
      r.buildDurationMs === undefined ? '' : `${(r.buildDurationMs / 1000).toFixed(1)}s`,
    ]),
  );
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'build, push and register service images',
  usage: `${USAGE}\n\n  Builds the services of ecp.config.yaml's \`services:\` list (all, or those named), up to N at\n  once (default: the number of CPUs), pushes them and registers each as a version.\n  --no-push builds only. Exit 1 when a build fails, 2 for a usage or engine error.`,
  flags: {
    concurrency: { type: 'number' },
    push: { type: 'boolean', default: true },
  },
  // Pushing and registering change the registry and the store; --no-push only builds locally.
  mutating: (ctx) => ctx.flags.push !== false,
  async run(ctx) {
    const services = selectServices(ctx);
    checkSources(services);
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
