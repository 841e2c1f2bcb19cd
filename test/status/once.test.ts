import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../source/sandbox/index.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';
import { kubectl, sandbox } from '../sandbox/helpers.js';

const seedImages = ['callbot', 'chatbot', 'advisor'].map((s) => `localhost:5000/ecp-ai/${s}:v1.0.0-seed01`);

async function setUp(options: { clock?: ManualClock; failImage?: RegExp } = {}) {
  const sb = await sandbox({ seed: path.join(repoRoot, 'k8s-manifests'), ...options });
  const dataDir = tempDir();
  await registerImages(dataDir, seedImages);
  const once = (...args: string[]) => runEcp(['--once', '--data-dir', dataDir, ...args], { env: { KUBECONFIG: sb.kubeconfig } });
  return { sb, dataDir, once };
}

describe('ecp --once', () => {
  it('exits 0 when everything is in sync, healthy and ready, and 1 naming the drift after kubectl set image', async () => {
    const { sb, once } = await setUp();
    const good = await once();
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/6 services in 2 tenants on context ecp-sandbox \(http:\/\/127\.0\.0\.1:\d+\): 6 synced, 0 out of sync.* — all good/);

    const set = await kubectl(sb, ['-n', 'test-download', 'set', 'image', 'deploy/callbot', 'callbot=localhost:5000/ecp-ai/callbot:hotfix']);
    expect(set.stdout).toContain('deployment.apps/callbot image updated');
    const drift = await once('--tenant', 'test-download', '--json');
    expect(drift.code).toBe(1);
    const doc = JSON.parse(drift.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.tenants).toHaveLength(1);
    const callbot = doc.tenants[0].rows.find((r: { service: string }) => r.service === 'callbot');
    expect(callbot).toMatchObject({ sync: 'OutOfSync', liveTag: 'hotfix', manifestTag: 'v1.0.0-seed01' });
    const text = await once('--tenant', 'test-download');
    expect(text.stdout).toMatch(/callbot\s+v1\.0\.0-seed01\s+hotfix\s+OutOfSync/);
    expect(text.stdout).toMatch(/1 out of sync/);
  });

  it('shows a failing image as Degraded once the progress deadline passes on the test clock', async () => {
    const clock = new ManualClock(Date.now());
    const { sb, once } = await setUp({ clock, failImage: /:broken$/ });
    await kubectl(sb, ['-n', 'test-download', 'set', 'image', 'deploy/chatbot', 'chatbot=localhost:5000/ecp-ai/chatbot:broken']);
    clock.advance(5_000);
    const early = JSON.parse((await once('--tenant', 'test-download', '--json')).stdout);
    const chatbotEarly = early.tenants[0].rows.find((r: { service: string }) => r.service === 'chatbot');
    // The new pod cannot pull its image: Degraded at once, from the pod.
    expect(chatbotEarly.health).toBe('Degraded');
    expect(chatbotEarly.healthMessage).toMatch(/ImagePullBackOff/);
    clock.advance(700_000);
    const late = await once('--tenant', 'test-download', '--json');
    expect(late.code).toBe(1);
    const chatbot = JSON.parse(late.stdout).tenants[0].rows.find((r: { service: string }) => r.service === 'chatbot');
    expect(chatbot).toMatchObject({ sync: 'OutOfSync', health: 'Degraded', healthMessage: 'Deployment "chatbot" exceeded its progress deadline' });
  });

  it('exits 2 naming the cluster when the API cannot be reached, and 2 without any cluster', async () => {
    const { sb, once } = await setUp();
    const url = sb.url;
    await sb.stop();
    const down = await once();
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`context ecp-sandbox (${url})`);
    expect(down.stderr).toMatch(/could not be reached/);
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
