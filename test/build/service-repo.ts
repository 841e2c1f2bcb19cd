/**
 * A real git work tree holding copies of the sample services (services/ at the repo root) and an
 * ecp.config.yaml that lists them: the baseDir of a build, as an operator's checkout would be.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, gitRepo } from '../helpers/temp.js';
import { repoRoot } from '../helpers/run-ecp.js';

export interface ServiceSpec {
  name: string;
  /** A sample service under services/ to copy (default: the same name). */
  from?: string;
  /** Replaces the copied Dockerfile. */
  dockerfile?: string;
}

export interface RepoOptions {
  registry: string;
  baseImage: string;
  services: (string | ServiceSpec)[];
  branch?: string;
  /** Extra top-level config lines. */
  extraConfig?: string;
}

export function serviceRepo(options: RepoOptions): string {
  const dir = gitRepo(options.branch ?? 'main');
  const specs = options.services.map((s) => (typeof s === 'string' ? { name: s } : s));
  const lines = [`registry: ${options.registry}`, 'imagePrefix: ecp-ai', 'services:'];
  for (const spec of specs) {
    const target = path.join(dir, 'services', spec.name);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(path.join(repoRoot, 'services', spec.from ?? spec.name), target, { recursive: true });
    if (spec.dockerfile !== undefined) writeFileSync(path.join(target, 'Dockerfile'), spec.dockerfile);
    lines.push(`  - name: ${spec.name}`, `    context: services/${spec.name}`, `    buildArgs: { BASE: "${options.baseImage}" }`);
  }
  if (options.extraConfig) lines.push(options.extraConfig);
  writeFileSync(path.join(dir, 'ecp.config.yaml'), `${lines.join('\n')}\n`);
  // The store lives in the work tree here, as it does by default: keep it out of git.
  writeFileSync(path.join(dir, '.gitignore'), 'data/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'services');
  return dir;
}
