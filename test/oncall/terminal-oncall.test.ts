/**
 * Issue 15 end to end, the real binary in tmux at 80×24: an emergency rollback from the console
 * with the registry stopped (a private registry this test starts and stops), and a hung
 * (SIGSTOPped) `ecp sandbox` process turning the services Unknown with the age of the last good
 * data — then back when it resumes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { describePrivateRegistry, freePort, startPrivateRegistry, type PrivateRegistry } from '../helpers/private-registry.js';
import { pushTinyImage } from '../helpers/registry.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { describeWith } from '../helpers/test-env.js';
import { hasTmux, tmuxOn } from '../helpers/tmux.js';
import { waitUntil } from '../helpers/wait.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from '../ui/fixtures.js';
import { version, workspace, type Workspace } from '../ui/helpers.js';

const tmux = tmuxOn('ecp-oncall');
const prefix = 'ecp-oncall';
const flat = (screen: string) => screen.replace(/[│║┃]/g, ' ').replace(/\s+/g, ' ');

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

/** shop-dev runs callbot v2, deployed by ecp after v1, from `host`. */
async function shopDev(host: string): Promise<Workspace> {
  const w = workspace({ copySamples: false, env: { DOCKER_REGISTRY: host, IMAGE_PREFIX: prefix } });
  writeTenant(w.manifestsDir, 'shop-dev', [{ name: 'callbot', tag: 'v2' }], `${host}/${prefix}`);
  const image = (tag: string) => `${host}/${prefix}/callbot:${tag}`;
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - 28 * i), imageName: `${host}/${prefix}/callbot`, fullImageName: image(tag) }));
  await addVersions(w.core, versions);
  await addDeployments(w.core, [deployRecord('shop-dev', 'callbot', undefined, image('v1'), at(30), { id: 'd1' }), deployRecord('shop-dev', 'callbot', image('v1'), image('v2'), at(2), { id: 'd2' })]);
  return w;
}

/** The console in a new tmux session at 80×24, on its own sandbox or on `kubeconfig`'s cluster. */
function startConsole(name: string, w: Workspace, kubeconfig?: string): string {
  // On its own cluster, the request timeout short (ECP_KUBE_TIMEOUT) instead of the default 10 s.
  const env = `env -u CI -u CONTINUOUS_INTEGRATION ${kubeconfig ? `KUBECONFIG=${kubeconfig} ECP_KUBE_TIMEOUT=3s` : ''} K8S_MANIFESTS_DIR=${w.manifestsDir} ECP_DATA_DIR=${w.dataDir} DOCKER_REGISTRY=${w.config.registry} IMAGE_PREFIX=${prefix} TERM=xterm-256color`;
  const command = `cd ${w.dir} && clear && ${env} ${process.execPath} ${ecpBin}${kubeconfig ? '' : ' --sandbox'}; echo "ECP EXITED $?"; sleep 600`;
  cleanups.push(tmux.session(name, command));
  return name;
}

describeWith('on call in a terminal (issue 15)', 'terminal (tmux)', hasTmux || undefined, 'tmux is not installed', () => {
  describePrivateRegistry('with a registry of its own', () => {
    it('rolls back from the console with the registry stopped: a warning, not a refusal', async () => {
      const registry: PrivateRegistry = await startPrivateRegistry();
      cleanups.push(() => registry.stop());
      for (const tag of ['v1', 'v2']) await pushTinyImage(registry.host, `${prefix}/callbot`, tag);
      const w = await shopDev(registry.host);
      const target = startConsole('rollback', w);
      await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s));
      await registry.stop();

      // r opens at the reason, the default target (v1) chosen.
      tmux.key(target, 'r');
      await tmux.waitFor(target, (s) => s.includes('Reason:') && /Target:\s+v1\b/.test(s));
      tmux('send-keys', '-t', target, '-l', 'registry down, v2 broken');
      tmux.key(target, 'Enter');
      const confirm = await tmux.waitFor(target, (s) => flat(s).includes('the rollback goes on with this warning'), 20_000);
      expect(flat(confirm)).toContain(`Registry ${registry.host} cannot be reached (ECONNREFUSED)`);
      tmux.key(target, 'y');
      await tmux.waitFor(target, (s) => s.includes('✓ roll back callbot in shop-dev'), 60_000);
      await tmux.waitFor(target, (s) => /callbot\s+v1\s+v1\s+Synced/.test(s), 15_000);
      expect(readFileSync(path.join(w.manifestsDir, 'shop-dev', 'services.yaml'), 'utf8')).toContain(`${registry.host}/${prefix}/callbot:v1`);
      const record = (await w.core.store.read()).deployments.find((d) => d.kind === 'rollback');
      expect(record?.warnings?.[0]).toMatch(/cannot be reached \(ECONNREFUSED\): image \S+:v1 was not checked/);
      tmux.key(target, 'q');
      await tmux.waitFor(target, (s) => s.includes('ECP EXITED 0'));
    }, 120_000);
  });

  it('a SIGSTOPped sandbox turns the services Unknown with the age of the last good data, and back', async () => {
    const w = await shopDev('localhost:5000');
    const kubeconfig = path.join(tempDir(), 'kubeconfig');
    const sandbox: ChildProcess = spawn(process.execPath, [ecpBin, 'sandbox', '--port', String(await freePort()), '--kubeconfig', kubeconfig, '--seed', w.manifestsDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    sandbox.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    cleanups.push(async () => {
      sandbox.kill('SIGCONT');
      sandbox.kill('SIGTERM');
      await new Promise((resolve) => sandbox.once('exit', resolve));
    });
    await waitUntil(() => said.includes('Press Ctrl-C to stop.'), 'ecp sandbox is serving', 30_000);
    const target = startConsole('hung', w, kubeconfig);
    await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s));

    sandbox.kill('SIGSTOP');
    // The watch's window (20 s + 5 s) or the console's 30 s refresh, then the 3 s request timeout.
    const hung = await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Unknown\s+Unknown/.test(s), 90_000);
    const header = hung.split('\n')[1]!;
    expect(header).toMatch(/^last good data \d+s ago · retrying · API did not answer within 3 s/);
    expect(hung).not.toMatch(/refreshed (just now|\d+s ago)/);

    sandbox.kill('SIGCONT');
    await tmux.waitFor(target, (s) => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s) && !s.includes('last good data'), 60_000);
    tmux.key(target, 'q');
    await tmux.waitFor(target, (s) => s.includes('ECP EXITED 0'));
  }, 200_000);
});
