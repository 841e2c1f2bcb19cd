/**
 * Keys to an emergency rollback (issue 15), `npx tsx bench/console-keys.ts`: from the first frame
 * of the real `ecp --sandbox` in a terminal (tmux) to a confirmed rollback of a chosen service
 * (the second one) of the second tenant, counting every key but the reason's text, and checking
 * that the rollback happened (the manifest names the old version). Needs the registry of
 * scripts/test-env.sh (the rollback's registry check). Target: ≤ 5 keys (before: 8).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../source/config.js';
import { createCore } from '../source/core.js';
import { newVersion } from '../source/domain/versions.js';
import { pushTinyImage, registryUnderTest } from '../test/helpers/registry.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from '../test/ui/fixtures.js';

delete process.env.CI;
const ecp = path.join(import.meta.dirname, '..', 'bin', 'ecp.js');
const socket = `ecp-bench-keys-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'keys');

async function until(what: string, check: (s: string) => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check(screen())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const { registry, reason } = await registryUnderTest();
if (!registry) {
  console.log(`keys to a rollback: skipped, ${reason}`);
  process.exit(0);
}
const prefix = 'ecp-bench';
const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-keys-'));
const ws = { dir, manifestsDir: path.join(dir, 'k8s-manifests'), dataDir: path.join(dir, 'data') };
mkdirSync(ws.manifestsDir, { recursive: true });
const core = createCore(loadConfig({ cwd: dir, env: { K8S_MANIFESTS_DIR: ws.manifestsDir, ECP_DATA_DIR: ws.dataDir, DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } }));
const image = (service: string, tag: string) => `${registry}/${prefix}/${service}:${tag}`;
for (const tenant of ['alpha', 'beta'])
  writeTenant(
    ws.manifestsDir,
    tenant,
    [
      { name: 'callbot', tag: 'v2' },
      { name: 'chatbot', tag: 'v2' },
    ],
    `${registry}/${prefix}`,
  );
const at = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
for (const service of ['callbot', 'chatbot']) {
  for (const tag of ['v1', 'v2']) await pushTinyImage(registry, `${prefix}/${service}`, tag);
  const versions = ['v1', 'v2'].map((tag, i) => {
    const input = {
      serviceName: service,
      imageName: `${registry}/${prefix}/${service}`,
      imageTag: tag,
      fullImageName: image(service, tag),
      gitCommit: 'abcdef1234567',
      gitBranch: 'main',
      status: 'ready' as const,
      securityScanResult: 'passed' as const,
    };
    return newVersion(input, new Date(at(30 - 28 * i)), new Set());
  });
  await addVersions(core, versions);
}
await addDeployments(core, [
  deployRecord('beta', 'chatbot', undefined, image('chatbot', 'v1'), at(30), { id: 'b1' }),
  deployRecord('beta', 'chatbot', image('chatbot', 'v1'), image('chatbot', 'v2'), at(2), { id: 'b2' }),
]);

const env = `env -u CI K8S_MANIFESTS_DIR=${ws.manifestsDir} ECP_DATA_DIR=${ws.dataDir} DOCKER_REGISTRY=${registry} IMAGE_PREFIX=${prefix} TERM=xterm-256color`;
tmux('new-session', '-d', '-s', 'keys', '-x', '120', '-y', '35', `cd ${ws.dir} && ${env} ${process.execPath} ${ecp} --sandbox; sleep 600`);
const keys: string[] = [];
const press = (key: string) => {
  keys.push(key);
  tmux('send-keys', '-t', 'keys', key);
};
try {
  await until('the first frame with live data', (s) => s.includes('Services · alpha') && /callbot\s+v2\s+v2\s+Synced/.test(s));
  const started = performance.now();
  press('2'); // the second tenant
  await until('beta', (s) => s.includes('Services · beta'));
  press('j'); // its second service
  await until("chatbot's history", (s) => s.includes('History · chatbot') && / v1 /.test(s));
  press('r'); // the rollback, its target chosen: the reason comes first
  await until('the reason step', (s) => s.includes('Reason:') && /Target:\s+v1 /.test(s));
  tmux('send-keys', '-t', 'keys', '-l', 'bench: v2 breaks checkout'); // not counted
  press('Enter');
  await until('the confirm step', (s) => s.includes('to roll back'));
  press('y');
  await until('the rollback done', (s) => s.includes('✓ roll back chatbot in beta'), 120_000);
  const seconds = (performance.now() - started) / 1000;
  const manifest = readFileSync(path.join(ws.manifestsDir, 'beta', 'services.yaml'), 'utf8');
  if (!manifest.includes(image('chatbot', 'v1'))) throw new Error('the manifest does not name chatbot:v1 after the rollback');
  console.log(
    `keys from the first frame to a confirmed rollback of beta/chatbot (second tenant, second service), the reason's text not counted: ${keys.length} (${keys.join(' ')}); done ${seconds.toFixed(1)} s after the first key`,
  );
} finally {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
}
