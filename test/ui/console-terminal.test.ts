/**
 * Issue 15 end to end, the real binary in tmux at 80×24 on an `ecp sandbox` whose rollouts take
 * an hour a step:
 * - a rollback from the console still waiting for its rollout, and the operator quits — with q
 *   then y, or Ctrl-C twice. The rollback stops at its safe point, the shell gets its screen back
 *   with no row of the console left on it, the exit code is 130, and one line says what the
 *   rollback left;
 * - `y` shows the live object as YAML (the bundle loads its YAML library), and `e` lends the
 *   terminal to a real editor (vi) on the service's manifest; the console comes back whole once
 *   it exits, showing the edit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { freePort } from '../helpers/private-registry.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { git, tempDir } from '../helpers/temp.js';
import { describeWith } from '../helpers/test-env.js';
import { hasTmux, tmuxOn } from '../helpers/tmux.js';
import { waitUntil } from '../helpers/wait.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { version, workspace, type Workspace } from './helpers.js';

const tmux = tmuxOn('ecp-quit');
const prefix = 'ecp-quit';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
});

/** shop-dev runs callbot v2 (deployed after v1); its registry does not answer (a rollback goes on with a warning). */
async function shopDev(): Promise<Workspace> {
  const registry = `127.0.0.1:${await freePort()}`;
  const w = workspace({ copySamples: false, env: { DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } });
  writeTenant(w.manifestsDir, 'shop-dev', [{ name: 'callbot', tag: 'v2' }], `${registry}/${prefix}`);
  git(w.dir, 'init', '-q');
  git(w.dir, 'add', '-A');
  git(w.dir, '-c', 'user.email=t@example.test', '-c', 'user.name=t', 'commit', '-qm', 'manifests');
  const image = (tag: string) => `${registry}/${prefix}/callbot:${tag}`;
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - 28 * i), imageName: `${registry}/${prefix}/callbot`, fullImageName: image(tag) }));
  await addVersions(w.core, versions);
  await addDeployments(w.core, [deployRecord('shop-dev', 'callbot', undefined, image('v1'), at(30), { id: 'd1' }), deployRecord('shop-dev', 'callbot', image('v1'), image('v2'), at(2), { id: 'd2' })]);
  return w;
}

/** `ecp sandbox` in its own process, rollouts an hour a step; its kubeconfig. */
async function slowSandbox(w: Workspace): Promise<string> {
  const kubeconfig = path.join(tempDir(), 'kubeconfig');
  const sandbox: ChildProcess = spawn(process.execPath, [ecpBin, 'sandbox', '--port', String(await freePort()), '--kubeconfig', kubeconfig, '--seed', w.manifestsDir, '--step-ms', '3600000'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  sandbox.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  cleanups.push(async () => {
    sandbox.kill('SIGTERM');
    await new Promise((resolve) => sandbox.once('exit', resolve));
  });
  await waitUntil(() => said.includes('Press Ctrl-C to stop.'), 'ecp sandbox is serving', 30_000);
  return kubeconfig;
}

/** The console in tmux at 80×24 after a line of the shell's own; the shell prints ECP EXITED <code>. */
function startConsole(name: string, w: Workspace, kubeconfig: string, editor = 'vi'): string {
  const env = `env -u CI -u CONTINUOUS_INTEGRATION EDITOR='${editor}' KUBECONFIG=${kubeconfig} K8S_MANIFESTS_DIR=${w.manifestsDir} ECP_DATA_DIR=${w.dataDir} DOCKER_REGISTRY=${w.config.registry} IMAGE_PREFIX=${prefix} TERM=xterm-256color`;
  const command = `cd ${w.dir} && clear && echo SHELL BEFORE ECP && ${env} ${process.execPath} ${ecpBin}; echo "ECP EXITED $?"; sleep 600`;
  cleanups.push(tmux.session(name, command));
  return name;
}

describeWith('quitting the console while a rollback runs (issue 15)', 'terminal (tmux)', hasTmux || undefined, 'tmux is not installed', () => {
  for (const [how, keys] of [
    ['q, then y', ['q', 'y']],
    ['Ctrl-C, then Ctrl-C', ['C-c', 'C-c']],
  ] as const) {
    it(`${how}: the rollback stops at its safe point, the shell is clean, exit 130`, async () => {
      const w = await shopDev();
      const target = startConsole(`quit-${keys[0]}`, w, await slowSandbox(w));
      await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s));
      // r opens the dialog once the rollback target is read for the image that runs now.
      tmux.key(target, 'r');
      await tmux.waitFor(target, (s) => s.includes('Reason:') && /Target:\s+v1\b/.test(s));
      tmux('send-keys', '-t', target, '-l', 'quit while it rolls out');
      tmux.key(target, 'Enter');
      await tmux.waitFor(target, (s) => s.replace(/[│║]/g, ' ').replace(/\s+/g, ' ').includes('the rollback goes on with this warning'), 20_000);
      tmux.key(target, 'y');
      // The rollback waits for its rollout (the sandbox's pods take an hour to start).
      await waitUntil(async () => (await w.core.store.read()).deployments.some((d) => d.kind === 'rollback' && d.status === 'progressing'), 'the rollback record open', 30_000);
      await tmux.waitFor(target, (s) => s.includes('rollout'), 15_000);

      tmux.key(target, keys[0]);
      await tmux.waitFor(target, (s) => s.includes('Quit anyway?'));
      tmux.key(target, keys[1]);
      const screen = await tmux.waitFor(target, (s) => s.includes('ECP EXITED'), 20_000);
      expect(screen).toContain('ECP EXITED 130');
      const shell = screen.slice(screen.indexOf('SHELL BEFORE ECP'));
      // What the rollback left, on the shell; nothing of the console: no frame, no pane border, no header.
      expect(shell.replace(/\s+/g, ' ')).toMatch(/ecp: "roll back callbot in shop-dev" stopped: rollback interrupted while waiting for its rollout: callbot is patched to \S+:v1/);
      expect(shell).not.toMatch(/[│║╒╕└┘┌┐]|Services ·|Pipeline log|\? help/);
      expect(tmux.paneFlag(target, 'alternate_on')).toBe('0');
      expect(tmux.paneFlag(target, 'cursor_flag')).toBe('1');
      expect((await w.core.store.read()).deployments.find((d) => d.kind === 'rollback')?.status).toBe('progressing');
    }, 120_000);
  }

  it('y shows the live YAML; e opens the manifest in vi; the console comes back whole, with the edit', async () => {
    const w = await shopDev();
    const target = startConsole('edit', w, await slowSandbox(w), 'vi -u NONE -N');
    await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s));
    // The bundle's YAML library loads (a dynamic import of it once crashed the binary here).
    tmux.key(target, 'y');
    await tmux.waitFor(target, (s) => s.includes('YAML · Deployment shop-dev/callbot (live)') && s.includes('apiVersion: apps/v1') && s.includes('kind: Deployment'));
    tmux.key(target, 'Escape');
    await tmux.waitFor(target, (s) => s.includes('Services · shop-dev'));
    tmux.key(target, 'e');
    // vi has the terminal: the manifest, none of the console.
    let screen = await tmux.waitFor(target, (s) => s.includes('image: ') && !s.includes('Services ·'));
    expect(screen).toContain('callbot:v2');
    tmux('send-keys', '-t', target, '-l', ':%s/callbot:v2/callbot:v1/');
    tmux.key(target, 'Enter');
    tmux('send-keys', '-t', target, '-l', ':wq');
    tmux.key(target, 'Enter');
    screen = await tmux.waitFor(target, (s) => /callbot\s+v1\s+v2\s+OutOfSync/.test(s));
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^ecp /);
    expect(screen).toContain('vi closed: shop-dev/services.yaml read again');
    expect(tmux.paneFlag(target, 'alternate_on')).toBe('1');
    // The keyboard is the console's again.
    tmux.key(target, 'q');
    screen = await tmux.waitFor(target, (s) => s.includes('ECP EXITED'), 20_000);
    expect(screen).toContain('ECP EXITED 0');
    expect(screen.slice(screen.indexOf('SHELL BEFORE ECP'))).not.toMatch(/[│║╒╕└┘┌┐]|Services ·/);
  }, 120_000);
});
