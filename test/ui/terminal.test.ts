/**
 * The real binary in a real terminal (tmux, private socket): `ecp --sandbox` draws its first
 * frame, moves, opens help, rolls a service back with keys, quits — and the terminal is given
 * back (alternate screen left, cursor shown), also after Ctrl-C and SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pushTinyImage, registryUnderTest } from '../helpers/registry.js';
import { ecpBin } from '../helpers/run-ecp.js';
import { hasTmux, tmuxOn } from '../helpers/tmux.js';
import { tempDir } from '../helpers/temp.js';
import { describeWith } from '../helpers/test-env.js';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { version, workspace, type Workspace } from './helpers.js';

const tmux = tmuxOn('ecp-test');
const { paneFlag, waitFor, key } = tmux;

// Skipped loudly without tmux; under CI=true a failure, as CI must run it.
describeWith(
  'ecp --sandbox in a terminal',
  'terminal (tmux)',
  hasTmux || undefined,
  'tmux is not installed',
  () => {
    let ws: Workspace;
    let registry: string | undefined;
    let noRegistry = '';
    const prefix = 'ecp-e2e';

    /** A workspace with shop-dev (callbot v2 over v1, chatbot v1), versions and deploy records. */
    async function makeWorkspace(): Promise<Workspace> {
      const host = registry ?? 'localhost:5000';
      const w = workspace({ copySamples: false, env: { DOCKER_REGISTRY: host, IMAGE_PREFIX: prefix } });
      writeTenant(
        w.manifestsDir,
        'shop-dev',
        [
          { name: 'callbot', tag: 'v2', replicas: 2 },
          { name: 'chatbot', tag: 'v1' },
        ],
        `${host}/${prefix}`,
      );
      const image = (tag: string) => `${host}/${prefix}/callbot:${tag}`;
      const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
      const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - 28 * i), imageName: `${host}/${prefix}/callbot`, fullImageName: image(tag) }));
      await addVersions(w.core, versions);
      await addDeployments(w.core, [
        deployRecord('shop-dev', 'callbot', undefined, image('v1'), at(30), { id: 'd1' }),
        deployRecord('shop-dev', 'callbot', image('v1'), image('v2'), at(2), { id: 'd2' }),
      ]);
      return w;
    }

    beforeAll(async () => {
      // The registry of scripts/test-env.sh makes the rollback possible (its registry check);
      // without it the rest still runs.
      ({ registry, reason: noRegistry } = await registryUnderTest());
      if (registry) for (const tag of ['v1', 'v2']) await pushTinyImage(registry, `${prefix}/callbot`, tag);
      ws = await makeWorkspace();
    });

    afterAll(async () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    });

    /**
     * Starts ecp in a new tmux session, on its own sandbox or on the cluster of `kubeconfig`;
     * the shell prints ECP EXITED <code> when it ends.
     */
    function start(name: string, size = { x: 120, y: 35 }, on: { ws: Workspace; kubeconfig?: string } = { ws }): { target: string; pidFile: string } {
      const pidFile = path.join(tempDir(), 'pid');
      const w = on.ws;
      const cluster = on.kubeconfig ? `KUBECONFIG=${on.kubeconfig}` : '';
      const env = `env -u CI -u CONTINUOUS_INTEGRATION ${cluster} K8S_MANIFESTS_DIR=${w.manifestsDir} ECP_DATA_DIR=${w.dataDir} DOCKER_REGISTRY=${w.config.registry} IMAGE_PREFIX=${prefix} TERM=xterm-256color`;
      const command = `cd ${w.dir} && clear && echo SHELL BEFORE ECP && sh -c 'echo $$ > ${pidFile}; exec ${env} ${process.execPath} ${ecpBin}${on.kubeconfig ? '' : ' --sandbox'}'; echo "ECP EXITED $?"; sleep 600`;
      tmux('new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), command);
      return { target: name, pidFile };
    }

    /** r on the selected callbot (its default target v1 comes chosen), a reason, y: rolled back, on screen and in the manifest. */
    async function rollBackWithKeys(target: string, w: Workspace): Promise<void> {
      key(target, 'r');
      await waitFor(target, (s) => s.includes('Reason:') && /Target:\s+v1 /.test(s));
      tmux('send-keys', '-t', target, '-l', 'e2e rollback');
      key(target, 'Enter');
      await waitFor(target, (s) => s.includes('Press y or Enter to roll back'));
      key(target, 'y');
      await waitFor(target, (s) => s.includes('✓ roll back callbot in shop-dev'), 60_000);
      await waitFor(target, (s) => /callbot\s+v1\s+v1\s+Synced/.test(s), 15_000);
      expect(readFileSync(path.join(w.manifestsDir, 'shop-dev', 'services.yaml'), 'utf8')).toContain(`${prefix}/callbot:v1`);
    }

    const restored = async (target: string) => {
      const screen = await waitFor(target, (s) => s.includes('ECP EXITED'), 15_000);
      expect(screen).toContain('SHELL BEFORE ECP');
      expect(screen).not.toContain('Services ·');
      expect(paneFlag(target, 'alternate_on')).toBe('0');
      expect(paneFlag(target, 'cursor_flag')).toBe('1');
      return screen;
    };

    it('draws the first frame, moves, opens help, rolls back with keys, and quits leaving the terminal as it was', async () => {
      const { target } = start('main');
      // A capture can catch a frame half drawn: wait for the whole of it, header to footer.
      let screen = await waitFor(target, (s) => s.includes('Services · shop-dev') && /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s) && s.includes('? help'));
      expect(paneFlag(target, 'alternate_on')).toBe('1');
      expect(screen).toContain('SANDBOX');
      // rows - 1 lines: the header is still on the first line, the footer on line 34.
      const lines = screen.split('\n');
      expect(lines[0]).toMatch(/^ecp /);
      expect(lines[33]).toContain('? help');

      key(target, 'j');
      screen = await waitFor(target, (s) => s.includes('History · chatbot'));
      key(target, 'k');
      await waitFor(target, (s) => s.includes('History · callbot') && / v1 /.test(s));
      key(target, '?');
      screen = await waitFor(target, (s) => s.includes('Help · every key') && s.includes('this help'));
      key(target, 'Escape');
      await waitFor(target, (s) => !s.includes('Help · every key'));

      if (registry) {
        await rollBackWithKeys(target, ws);
      } else if (process.env.CI === 'true') {
        throw new Error(`CI=true but there is no registry for the rollback part: ${noRegistry}.`);
      } else {
        process.stderr.write(`\n!!! terminal test: the rollback part is skipped: ${noRegistry}. Run \`scripts/test-env.sh --start\` first.\n`);
      }

      key(target, 'q');
      screen = await restored(target);
      expect(screen).toContain('ECP EXITED 0');
    });

    it('opens the fleet and the : command line, and quitting while a step runs leaves a clean terminal', async () => {
      const { target } = start('fleet', { x: 80, y: 24 }, { ws: await makeWorkspace() });
      await waitFor(target, (s) => s.includes('Services · shop-dev') && s.includes('Synced'));
      key(target, 'f');
      let screen = await waitFor(target, (s) => s.includes('Fleet · 2 services × 1 tenant'));
      expect(screen).toMatch(/callbot\s+▸v2\s+= Healthy/);
      // : with Tab completion back to the panes, on the history.
      key(target, ':');
      tmux('send-keys', '-t', target, '-l', 'hi');
      key(target, 'Tab');
      await waitFor(target, (s) => s.split('\n').some((l) => l.startsWith(':history')));
      key(target, 'Enter');
      screen = await waitFor(target, (s) => !s.includes('Fleet ·') && s.includes('╒═ History · '));
      // A rollback to v1, chosen in the history, runs (it ends however the registry answers); q asks, y quits at once.
      key(target, 'j');
      await waitFor(target, (s) => /│›\s+v1 /.test(s));
      key(target, 'r');
      await waitFor(target, (s) => s.includes('Reason:'));
      tmux('send-keys', '-t', target, '-l', 'quit while running');
      key(target, 'Enter');
      await waitFor(target, (s) => s.includes('to roll back'));
      key(target, 'y');
      key(target, 'q');
      screen = await waitFor(target, (s) => s.includes('Quit?') || s.includes('ECP EXITED'));
      if (!screen.includes('ECP EXITED')) key(target, 'y');
      screen = await restored(target);
      // Nothing of the console is left on the shell: no frame line, no pane border.
      const after = screen.slice(screen.indexOf('SHELL BEFORE ECP'));
      expect(after).not.toMatch(/[│╒└┌]/);
    });

    it('gives the terminal back on Ctrl-C', async () => {
      const { target } = start('ctrlc', { x: 80, y: 24 });
      await waitFor(target, (s) => s.includes('Services · shop-dev') && s.includes('Synced'));
      key(target, 'C-c');
      const screen = await restored(target);
      expect(screen).toContain('ECP EXITED 0');
    });

    it('gives the terminal back on SIGTERM', async () => {
      const { target, pidFile } = start('sigterm', { x: 80, y: 24 });
      await waitFor(target, (s) => s.includes('Services · shop-dev'));
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(existsSync(`/proc/${pid}`)).toBe(true);
      process.kill(pid, 'SIGTERM');
      const screen = await restored(target);
      expect(screen).toContain('ECP EXITED 143');
    });
    describeTargets(
      'the console on a real cluster',
      () => {
        let cluster: ClusterTarget | undefined;
        afterAll(async () => {
          await cluster?.stop();
        });

        it('rolls a service back with keys: ui → pipeline → the real API server, and quits cleanly', async () => {
          if (!registry) throw new Error(`the rollback needs the registry of scripts/test-env.sh: ${noRegistry}.`);
          const w = await makeWorkspace();
          cluster = await startTarget('real', { seed: w.manifestsDir });
          const { target } = start('real', { x: 80, y: 24 }, { ws: w, kubeconfig: cluster.kubeconfig });
          const screen = await waitFor(target, (s) => s.includes('Services · shop-dev') && /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(s));
          expect(screen).toContain('kube-env');
          await rollBackWithKeys(target, w);
          const live = await cluster.kubectl(['-n', 'shop-dev', 'get', 'deploy', 'callbot', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
          expect(live.stdout).toBe(`${w.config.registry}/${prefix}/callbot:v1`);
          key(target, 'q');
          expect(await restored(target)).toContain('ECP EXITED 0');
        });
      },
      // The sandbox's run of the same keys is the test above (`ecp --sandbox`).
      'real',
    );
  },
  'Install it (`apt-get install -y tmux`).',
);
