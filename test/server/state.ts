/** Everything a request could change, read as text: the store, the audit trail, the manifests, git. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { git } from '../helpers/temp.js';
import type { ServerWorld } from './world.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export async function worldState(w: ServerWorld): Promise<string> {
  const files = [...filesUnder(w.s.dataDir), ...filesUnder(path.join(w.s.repo, 'k8s-manifests'))].filter((f) => !f.endsWith('.lock'));
  const live = await w.s.client.listDeployments([]);
  return JSON.stringify({
    files: files.map((f) => [f, readFileSync(f, 'utf8')]),
    git: git(w.s.repo, 'log', '--all', '--format=%H %s'),
    tags: git(w.s.repo, 'tag', '--list'),
    live: live.items.map((d) => [d.metadata?.namespace, d.metadata?.name, d.spec?.template?.spec?.containers?.map((c) => c.image)]),
  });
}

/** A response any client can read: one JSON object with a status and a message, no stack trace. */
export function assertCleanError(response: { status: number; body: any; text: string }): void {
  if (typeof response.body !== 'object' || response.body === null || typeof response.body.message !== 'string' || response.body.status !== response.status) {
    throw new Error(`not one JSON error object: ${response.status} ${response.text.slice(0, 200)}`);
  }
  if (/\n\s+at |\.(ts|js):\d+|node_modules/.test(response.text)) throw new Error(`a stack trace in the response: ${response.text.slice(0, 300)}`);
}
