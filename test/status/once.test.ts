import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { kubectl, sandbox } from '../sandbox/helpers.js';

const seedImages = ['callbot', 'chatbot', 'advisor'].map((s) => `localhost:5000/ecp-ai/${s}:v1.0.0-seed01`);
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Row = { service: string; sync: string; health: string; healthMessage?: string; liveTag?: string; manifestTag?: string };
const row = (stdout: string, service: string): Row => JSON.parse(stdout).tenants[0].rows.find((r: Row) => r.service === service);

describeTargets('ecp --once', (kind) => {
  let target: ClusterTarget | undefined;
  afterEach(async () => {
    await target?.stop();
    target = undefined;
  });

  async function setUp() {
    target = await startTarget(kind, { seed: path.join(repoRoot, 'k8s-manifests'), failImage: /:broken$/ });
    const dataDir = tempDir();
    await registerImages(dataDir, seedImages);
    const t = target;
    const once = (...args: string[]) => runEcp(['--once', '--data-dir', dataDir, ...args], { env: { KUBECONFIG: t.kubeconfig } });
    return { t, once };
  }

  it('exits 0 when everything is in sync, healthy and ready, and 1 naming the drift after kubectl set image', async () => {
    const { t, once } = await setUp();
    const good = await once();
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(new RegExp(`6 services in 2 tenants on context ${t.context} \\(${literal(t.url)}\\): 6 synced, 0 out of sync.* — all good`));

    const set = await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/callbot', 'callbot=localhost:5000/ecp-ai/callbot:hotfix']);
    expect(set.stdout).toContain('deployment.apps/callbot image updated');
    const drift = await once('--tenant', 'test-download', '--json');
    expect(drift.code).toBe(1);
    const doc = JSON.parse(drift.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.tenants).toHaveLength(1);
    expect(row(drift.stdout, 'callbot')).toMatchObject({ sync: 'OutOfSync', liveTag: 'hotfix', manifestTag: 'v1.0.0-seed01' });
    const text = await once('--tenant', 'test-download');
    expect(text.stdout).toMatch(/callbot\s+v1\.0\.0-seed01\s+hotfix\s+OutOfSync/);
    expect(text.stdout).toMatch(/1 out of sync/);
  });

  it('shows a failing image as Degraded from its pod, then from the Deployment once its progress deadline passes', async () => {
    const { t, once } = await setUp();
    await t.kubectl(['-n', 'test-download', 'patch', 'deploy/chatbot', '-p', '{"spec":{"progressDeadlineSeconds":3}}']);
    await t.kubectl(['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:broken']);
    // The new pod cannot pull its image: Degraded from the pod before the deadline...
    const early = await until(once, (r) => /ImagePull/.test(row(r.stdout, 'chatbot').healthMessage ?? ''));
    expect(row(early.stdout, 'chatbot').health).toBe('Degraded');
    // ...and from the Deployment's own condition after it.
    const late = await until(once, (r) => /progress deadline/.test(row(r.stdout, 'chatbot').healthMessage ?? ''));
    expect(late.code).toBe(1);
    expect(row(late.stdout, 'chatbot')).toMatchObject({ sync: 'OutOfSync', health: 'Degraded', healthMessage: 'Deployment "chatbot" exceeded its progress deadline' });
  });

  it('exits 2 naming the cluster when the API cannot be reached', async () => {
    const { t, once } = await setUp();
    await t.cutOff();
    const down = await once();
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`context ${t.context} (${t.url})`);
    expect(down.stderr).toMatch(/could not be reached/);
  });
});

/** Runs `--once --tenant test-download --json` until `done` holds (the cluster moves in real time). */
async function until(once: (...args: string[]) => Promise<{ code: number; stdout: string }>, done: (r: { code: number; stdout: string }) => boolean) {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const r = await once('--tenant', 'test-download', '--json');
    if (done(r) || Date.now() > deadline) return r;
  }
}

describe('ecp --once on the sandbox only', () => {
  it('shows a failing image as Degraded on the test clock (time that only the sandbox can move)', async () => {
    const clock = new ManualClock(Date.now());
    const sb = await sandbox({ seed: path.join(repoRoot, 'k8s-manifests'), clock, failImage: /:broken$/ });
    const dataDir = tempDir();
    await registerImages(dataDir, seedImages);
    const once = (...args: string[]) => runEcp(['--once', '--data-dir', dataDir, ...args], { env: { KUBECONFIG: sb.kubeconfig } });
    await kubectl(sb, ['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:broken']);
    clock.advance(5_000);
    const early = await once('--tenant', 'test-download', '--json');
    expect(row(early.stdout, 'chatbot')).toMatchObject({ health: 'Degraded', healthMessage: expect.stringMatching(/ImagePullBackOff/) });
    clock.advance(700_000);
    const late = await once('--tenant', 'test-download', '--json');
    expect(late.code).toBe(1);
    expect(row(late.stdout, 'chatbot')).toMatchObject({ sync: 'OutOfSync', health: 'Degraded', healthMessage: 'Deployment "chatbot" exceeded its progress deadline' });
  });

  it('exits 2 without any cluster', async () => {
    const none = await runEcp(['--once', '--data-dir', tempDir()], { env: { KUBECONFIG: path.join(tempDir(), 'nothing') } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No cluster is configured/);
  });

  it('starts its own sandbox with --sandbox', async () => {
    const dataDir = tempDir();
    await registerImages(dataDir, seedImages);
    const result = await runEcp(['--once', '--sandbox', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/on SANDBOX \(http:\/\/127\.0\.0\.1:\d+\).* all good/);
  });
});
