/**
 * Quitting while a step runs (issue 15, item 9): "quit anyway" asks the running pipeline to stop
 * at its next safe point, as Ctrl-C does `ecp rollback`, and the console ends once it has — exit
 * 130 and a sentence naming what was left. The rollback runs for real: the rollback action, the
 * job runner, the pipeline, a sandbox API server whose rollouts barely move (so the wait is
 * still on when the operator quits) and a registry that does not answer (a warning for a
 * rollback). Asked again while stopping, the console ends at once.
 */
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, expect, it } from 'vitest';
import { KubeClient, loadCluster } from '../../source/adapters/kube.js';
import { LiveStateWatcher } from '../../source/monitor/live-state.js';
import { startSandbox } from '../../source/sandbox/index.js';
import { ACTIONS } from '../../source/ui/actions.js';
import { QuitDialog } from '../../source/ui/components/QuitDialog.js';
import { createConsole } from '../../source/ui/index.js';
import { quitOutcome, type ConsoleExit } from '../../source/ui/model/quit-outcome.js';
import { initialState, type Job } from '../../source/ui/model/state.js';
import { freePort } from '../helpers/private-registry.js';
import { git, tempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { addDeployments, addVersions, deployRecord, writeTenant } from './fixtures.js';
import { KEYS, renderAlone, version, workspace } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** shop-dev runs callbot v2 (deployed after v1) in a sandbox whose rollouts take an hour a step. */
async function slowCluster() {
  const registry = `127.0.0.1:${await freePort()}`;
  const prefix = 'ecp-quit';
  const ws = workspace({ copySamples: false, env: { DOCKER_REGISTRY: registry, IMAGE_PREFIX: prefix } });
  writeTenant(ws.manifestsDir, 'shop-dev', [{ name: 'callbot', tag: 'v2' }], `${registry}/${prefix}`);
  git(ws.dir, 'init', '-q');
  git(ws.dir, 'add', '-A');
  git(ws.dir, '-c', 'user.email=t@example.test', '-c', 'user.name=t', 'commit', '-qm', 'manifests');
  const image = (tag: string) => `${registry}/${prefix}/callbot:${tag}`;
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const versions = ['v1', 'v2'].map((tag, i) => version('callbot', tag, { createdAt: at(30 - 28 * i), imageName: `${registry}/${prefix}/callbot`, fullImageName: image(tag) }));
  await addVersions(ws.core, versions);
  await addDeployments(ws.core, [
    deployRecord('shop-dev', 'callbot', undefined, image('v1'), at(30), { id: 'd1' }),
    deployRecord('shop-dev', 'callbot', image('v1'), image('v2'), at(2), { id: 'd2' }),
  ]);
  const sandbox = await startSandbox({ seed: ws.manifestsDir, stepMs: 3_600_000 });
  const client = new KubeClient(loadCluster({ env: {}, kubeconfig: await sandbox.writeKubeconfig(path.join(tempDir(), 'kubeconfig')) })!);
  const watcher = new LiveStateWatcher(client, { namespaces: () => ['shop-dev'] });
  await watcher.start();
  cleanups.push(async () => {
    await watcher.stop();
    await sandbox.stop();
  });
  return { ws, client, watcher, v1: versions[0]! };
}

/** The console rendered with ink-testing-library; `ended()` is what it told the shell, once it quit. */
async function consoleOn(cluster: Awaited<ReturnType<typeof slowCluster>>) {
  let ended: ConsoleExit | undefined;
  const handle = await createConsole(cluster.ws.core, { live: cluster.watcher, client: cluster.client, size: { columns: 100, rows: 30 }, env: {}, exit: (outcome) => (ended = outcome) });
  const instance = render(handle.element);
  handle.start();
  cleanups.push(async () => {
    instance.unmount();
    handle.stop();
    await handle.jobs.stopAll();
  });
  const frame = () => instance.lastFrame() ?? '';
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      instance.stdin.write(key);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const rollBack = () => {
    const tenant = handle.store.getState().tenants.find((t) => t.id === 'shop-dev')!;
    handle.jobs.start(ACTIONS.get('rollback')!, { tenant, service: tenant.rows[0]! }, { versionId: cluster.v1.id, reason: 'quit while it runs' });
  };
  const rollingOut = () => handle.store.getState().jobs.some((j) => j.state === 'running' && j.steps.some((s) => s.key.endsWith('rollout') && s.state === 'running'));
  return { handle, frame, press, rollBack, rollingOut, ended: () => ended };
}

it('quit anyway stops a running rollback at its safe point: exit 130, naming what it left', async () => {
  const cluster = await slowCluster();
  const c = await consoleOn(cluster);
  await waitUntil(() => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(c.frame()), 'callbot v2 shown Synced and Healthy');
  c.rollBack();
  await waitUntil(c.rollingOut, 'the rollback waiting for its rollout', 30_000);

  await c.press('q');
  await waitUntil(() => c.frame().includes('Quit anyway?'), 'the quit question');
  await c.press('y');
  await waitUntil(() => c.ended() !== undefined, 'the console ended once the rollback stopped', 15_000);
  const ended = c.ended()!;
  expect(ended.code).toBe(130);
  expect(ended.lines).toHaveLength(1);
  expect(ended.lines[0]).toMatch(
    /^ecp: "roll back callbot in shop-dev" stopped: rollback interrupted while waiting for its rollout: callbot is patched to \S+:v1 and the manifest committed .*the monitor settles record \S+\.$/,
  );
  // Stopped at the safe point: patched, committed, its record open for the monitor.
  const record = (await cluster.ws.core.store.read()).deployments.find((d) => d.kind === 'rollback');
  expect(record?.status).toBe('progressing');
  expect(git(cluster.ws.dir, 'status', '--porcelain', 'k8s-manifests')).toBe('');
}, 60_000);

it('quit asked again while the steps stop ends at once, naming the step left running', async () => {
  const cluster = await slowCluster();
  const c = await consoleOn(cluster);
  await waitUntil(() => /callbot\s+v2\s+v2\s+Synced\s+Healthy/.test(c.frame()), 'callbot v2 shown Synced and Healthy');
  // A job that does not listen for the stop request, beside nothing else.
  let finish: () => void = () => undefined;
  c.handle.jobs.run({
    action: 'validate',
    title: 'a step that does not stop',
    tenantId: 'shop-dev',
    work: async (log) => {
      log.step('wait', 'waiting for something');
      await new Promise<void>((resolve) => (finish = resolve));
      return { ok: true, summary: 'done' };
    },
  });
  cleanups.push(() => finish());
  await c.press(KEYS.ctrlC);
  await waitUntil(() => c.frame().includes('Quit anyway?'), 'the quit question');
  await c.press(KEYS.ctrlC);
  await waitUntil(() => c.frame().includes('Stopping at the next safe point (1 running):'), 'the stopping screen');
  expect(c.frame()).toContain('a step that does not stop · waiting for something');
  expect(c.ended()).toBeUndefined();
  await c.press(KEYS.ctrlC);
  expect(c.ended()).toEqual({
    code: 130,
    lines: ['ecp: "a step that does not stop" was still running at "waiting for something" when the console quit; it was left as it was (ecp --once shows how things stand).'],
  });
}, 60_000);

it('QuitDialog, stopping: names what is being stopped and how to quit at once', () => {
  const running: Job[] = [
    {
      id: 1,
      action: 'rollback',
      title: 'roll back callbot in shop',
      tenantId: 'shop',
      state: 'running',
      startedAt: 0,
      steps: [{ key: 'rollout', title: 'rollout', state: 'running', lines: [], startedAt: 0 }],
    },
  ];
  const alone = renderAlone(<QuitDialog running={running} stopping width={60} height={7} />);
  cleanups.push(() => alone.unmount());
  expect(alone.frame()).toMatchInlineSnapshot(`
    "╒═ Quitting ═══════════════════════════════════════════════╕
    │Stopping at the next safe point (1 running):              │
    │  roll back callbot in shop · rollout                     │
    │                                                          │
    │The console ends once they have stopped; Ctrl-C or q quits│
    │ at once, leaving them where they are.                    │
    └──────────────────────────────────────────────────────────┘"
  `);
});

it('quitOutcome: a job that ended on its own while the others stopped is named as it ended', () => {
  const at = (state: Job['state'], over: Partial<Job> = {}): Job => ({ id: 0, action: 'deploy', title: 't', tenantId: 'shop', state, startedAt: 0, steps: [], ...over });
  const state = { ...initialState({ configured: true, reachable: true }, { label: 'c', phase: 'connected' }) };
  const failed = at('failed', { id: 1, title: 'roll back advisor in acme-prod', summary: 'v2 → v1; rollout failed: Degraded' });
  const done = at('ok', { id: 2, title: 'update callbot in shop', summary: 'callbot → v3' });
  expect(quitOutcome({ ...state, jobs: [failed, done] }, [1, 2])).toEqual({
    code: 1,
    lines: ['ecp: "roll back advisor in acme-prod" failed: v2 → v1; rollout failed: Degraded', 'ecp: "update callbot in shop" ended: callbot → v3'],
  });
  expect(quitOutcome({ ...state, jobs: [done] }, [2]).code).toBe(0);
  expect(quitOutcome({ ...state, jobs: [failed, { ...done, state: 'failed', stopped: true }] }, [1, 2]).code).toBe(130);
});
