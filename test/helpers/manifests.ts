/** Manifest test fixtures: temp copies of tenants, a seeded store, the audit trail, line diffs. */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ImageVersion, VersionStatus, ScanResult } from '../../source/domain/types.js';
import { repoRoot } from './run-ecp.js';
import { tempDir } from './temp.js';

export const fixturesDir = path.join(repoRoot, 'test', 'manifests', 'fixtures');

/** A temp work folder with `k8s-manifests/<tenant>` copied from the fixtures, and a data dir. */
export function manifestWorkspace(tenants: string[] = ['acme']): { root: string; manifests: string; data: string } {
  const root = tempDir('ecp-manifests-');
  const manifests = path.join(root, 'k8s-manifests');
  mkdirSync(manifests, { recursive: true });
  for (const t of tenants) cpSync(path.join(fixturesDir, t), path.join(manifests, t), { recursive: true });
  const data = path.join(root, 'data');
  mkdirSync(data, { recursive: true });
  return { root, manifests, data };
}

let clock = Date.parse('2026-01-01T00:00:00Z');

export function version(
  service: string,
  tag: string,
  options: { status?: VersionStatus; scan?: ScanResult; registry?: string; prefix?: string; vulns?: number; createdAt?: string } = {},
): ImageVersion {
  clock += 60_000;
  const at = options.createdAt ?? new Date(clock).toISOString();
  const repo = `${options.registry ?? 'localhost:5000'}/${options.prefix ?? 'ecp-ai'}/${service}`;
  return {
    id: `${service}-${tag}-${Math.floor(Date.parse(at) / 1000)}`,
    serviceName: service,
    imageName: repo,
    imageTag: tag,
    fullImageName: `${repo}:${tag}`,
    gitCommit: 'a'.repeat(40),
    gitBranch: 'main',
    status: options.status ?? 'ready',
    securityScanResult: options.scan ?? (options.status === 'blocked' ? 'failed' : 'passed'),
    vulnerabilitiesCount: options.vulns ?? 0,
    vulnerabilities: {},
    createdAt: at,
    updatedAt: at,
  };
}

/** Writes a store with these versions (and deployments) straight to `<data>/store.json`. */
export function seedStore(data: string, versions: ImageVersion[], deployments: unknown[] = []): void {
  writeFileSync(path.join(data, 'store.json'), `${JSON.stringify({ schemaVersion: 1, versions, deployments, approvals: [] }, null, 1)}\n`);
}

export function readStore(data: string): { versions: ImageVersion[]; deployments: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path.join(data, 'store.json'), 'utf8'));
}

export function auditEvents(data: string): { action: string; actor: string; target: string; details: Record<string, unknown> }[] {
  try {
    return readFileSync(path.join(data, 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

/** Every file under a folder, relative path → text. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Lines that differ between two texts: [lineNumber, before, after]; throws if the line count changed. */
export function lineDiff(before: string, after: string): [number, string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error(`line count changed: ${a.length} → ${b.length}`);
  const out: [number, string, string][] = [];
  a.forEach((line, i) => {
    if (line !== b[i]) out.push([i + 1, line, b[i]!]);
  });
  return out;
}

/** Environment for a child ecp that reads this workspace. */
export function ecpEnv(ws: { manifests: string; data: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    K8S_MANIFESTS_DIR: ws.manifests,
    ECP_DATA_DIR: ws.data,
    ECP_CONFIG: '',
    DOCKER_REGISTRY: 'localhost:5000',
    IMAGE_PREFIX: 'ecp-ai',
    // No cluster: validate stays offline whatever this machine's ~/.kube/config says.
    KUBECONFIG: path.join(ws.data, 'no-kubeconfig'),
    ...extra,
  };
}

/** Rewrites every manifest of the workspace so that its ecp images live in `registry`. */
export function retarget(ws: { manifests: string }, registry: string): void {
  for (const [rel, text] of snapshot(ws.manifests)) {
    writeFileSync(path.join(ws.manifests, rel), text.replaceAll('localhost:5000/', `${registry}/`));
  }
}

/** `127.0.0.1:<port>` where nothing listens (a port just freed). */
export async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
