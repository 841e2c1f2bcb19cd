/**
 * `ecp --sandbox` on a fresh clone (issue 15 item 10): it runs on a demo store of its own, never
 * the user's data/, seeded so every tenant is Synced, Healthy and ready with a short history, and
 * the sandbox's registry answers the registry checks of the demo images, so a rollback works
 * with nothing else running. Through the real binary: headless, and in tmux at 80×24.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ecpBin, repoRoot, runEcp } from '../helpers/run-ecp.js';
import { git, tempDir } from '../helpers/temp.js';

/** Nothing of a developer's environment chooses a data dir, config, registry or cluster. */
const UNSET = ['ECP_DATA_DIR', 'ECP_CONFIG', 'K8S_MANIFESTS_DIR', 'DOCKER_REGISTRY', 'IMAGE_PREFIX', 'DOCKER_HOST', 'KUBECONFIG', 'CI', 'CONTINUOUS_INTEGRATION'];
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !UNSET.includes(k)));

/** A fresh clone: the sample manifests in a git repository, no data dir, no config file. */
function freshClone(): string {
  const dir = tempDir('ecp-demo-clone-');
  cpSync(path.join(repoRoot, 'k8s-manifests'), path.join(dir, 'k8s-manifests'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'samples');
  return dir;
}

const demoDirs = () => new Set(readdirSync(os.tmpdir()).filter((d) => d.startsWith('ecp-demo-') && !d.startsWith('ecp-demo-clone-')));

let clone: string;
beforeEach(() => {
  clone = freshClone();
});

describe('ecp --sandbox on the demo store', () => {
  it('rolls back headless to the demo history, the registry check answered, and leaves no data/ behind', async () => {
    const before = demoDirs();
    const r = await runEcp(['rollback', 'test-download', 'callbot', '--reason', 'demo', '--sandbox'], { cwd: clone, env: cleanEnv(), timeoutMs: 90_000 });
    expect(r.stderr).toContain('1 image found in registry localhost:5000');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/callbot:v1\.0\.0-seed01 → localhost:5000\/ecp-ai\/callbot:v0\.9\.0-demo rolled back/);
    // The demo rolled back its own copy: the project's manifests, commits and tags are as they were.
    expect(readFileSync(path.join(clone, 'k8s-manifests/test-download/callbot.yaml'), 'utf8')).toContain('callbot:v1.0.0-seed01');
    expect(git(clone, 'status', '--porcelain')).toBe('');
    expect(git(clone, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(git(clone, 'tag')).toBe('');
    expect(existsSync(path.join(clone, 'data'))).toBe(false);
    // The demo store's temp folder went with the process.
    expect([...demoDirs()].filter((d) => !before.has(d))).toEqual([]);
  }, 120_000);

  it('reports every service Synced, Healthy and ready with --once', async () => {
    const r = await runEcp(['--once', '--sandbox'], { cwd: clone, env: cleanEnv() });
    expect(r.stdout).toContain('6 services in 2 tenants on SANDBOX');
    expect(r.stdout).toContain('6 synced, 0 out of sync, 0 missing, 0 degraded, 0 progressing, 0 without a ready version — all good');
    expect(r.code).toBe(0);
  }, 60_000);

  it('is a file store of its own when the config names the team store, never the team ConfigMaps', async () => {
    // No kubeconfig at all: the team store cannot be reached, and the demo does not need it.
    const r = await runEcp(['--once', '--sandbox'], { cwd: clone, env: { ...cleanEnv(), ECP_STORE: 'kubernetes', HOME: tempDir('ecp-home-') } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('all good');
    expect(r.code).toBe(0);
  }, 60_000);

  it('uses the data dir the user chose instead, sandbox or not', async () => {
    const dataDir = tempDir('ecp-chosen-data-');
    const r = await runEcp(['--once', '--sandbox', '--data-dir', dataDir], { cwd: clone, env: cleanEnv() });
    // Nothing is registered in the chosen (empty) store.
    expect(r.stdout).toContain('6 without a ready version');
    expect(r.code).toBe(1);
  }, 60_000);
});

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(hasTmux || process.env.CI === 'true')('ecp --sandbox in tmux at 80×24', () => {
  const socket = `ecp-demo-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const key = (name: string) => tmux('send-keys', '-t', 'demo', name);
  async function waitFor(check: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-t', 'demo');
      if (check(screen)) return screen;
      if (Date.now() > until) throw new Error(`Timed out; the screen was:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  it('starts Synced, Healthy and ready with a history, and validate and rollback work by keys', async () => {
    const env = `env ${UNSET.map((k) => `-u ${k}`).join(' ')} TERM=xterm-256color`;
    tmux('new-session', '-d', '-s', 'demo', '-x', '80', '-y', '24', `cd ${clone} && ${env} ${process.execPath} ${ecpBin} --sandbox; echo "ECP EXITED $?"; sleep 600`);
    let screen = await waitFor((s) => /callbot\s+v1\.0\.0\S*\s+v1\.0\.0\S*\s+Synced\s+Healthy/.test(s) && s.includes('v0.9.0-demo'), 60_000);
    // Both tenants ready (✓, not ◌ NotReady), and the history has the demo versions.
    expect(screen).toMatch(/✓ acme-prod/);
    expect(screen).toMatch(/✓ test-download/);
    expect(screen).toMatch(/v1\.1\.0-demo\s+ready\s+passed/);
    expect(screen).not.toContain('no versions registered');

    key('v');
    await waitFor((s) => s.includes('✓ validate acme-prod: valid'));
    // The live object's YAML and the manifest-vs-live diff, through the bundle as users run it.
    key('y');
    await waitFor((s) => s.includes('YAML · Deployment acme-prod/callbot (live)') && s.includes('apiVersion: apps/v1'));
    // Each Esc waited out: Esc followed at once by a key reads as Alt and that key.
    key('Escape');
    await waitFor((s) => !s.includes('YAML ·'));
    key('c');
    await waitFor((s) => s.includes('Deployment acme-prod/callbot matches its manifest'));
    key('Escape');
    await waitFor((s) => !s.includes('Diff · manifest vs live'));
    // To test-download (no protected namespace): the tenants pane, down, Enter.
    key('BTab');
    key('j');
    key('Enter');
    // r needs the service's history read: wait for it.
    await waitFor((s) => s.includes('Services · test-download') && s.includes('History · advi') && s.includes('v0.9.0-demo'));
    // r opens at the reason, the default target chosen (once the console has read it).
    key('r');
    screen = await waitFor((s) => s.includes('Reason:'));
    expect(screen).toMatch(/Target:\s+v0\.9\.0-demo/);
    tmux('send-keys', '-t', 'demo', '-l', 'demo rollback');
    key('Enter');
    await waitFor((s) => s.includes('Press y or Enter to roll back'));
    key('y');
    await waitFor((s) => s.includes('✓ roll back advisor in test-download'), 60_000);
    key('q');
    await waitFor((s) => s.includes('ECP EXITED 0'), 15_000);
    expect(existsSync(path.join(clone, 'data'))).toBe(false);
    // The rollback was the demo's own: the project's history and tree are as they were.
    expect(git(clone, 'log', '--format=%s')).toBe('samples');
    expect(git(clone, 'status', '--porcelain')).toBe('');
  }, 180_000);
});
