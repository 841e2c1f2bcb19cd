/**
 * The differential scenario (scenario/scenario.ts) against the sandbox: two fresh sandboxes give
 * the same normalised transcript, so the normalisation leaves only real differences when the
 * second kubeconfig is a real control plane; and the transcript says what a real cluster says.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { sandbox } from './helpers.js';
import { runScenario, transcript } from './scenario/scenario.js';

async function once(): Promise<string> {
  const sb = await sandbox({ stepMs: 50 });
  const work = tempDir('ecp-scenario-');
  return transcript(await runScenario({ kubeconfig: sb.kubeconfig, cacheDir: path.join(work, 'cache'), workDir: work }));
}

describe('the kubectl scenario', () => {
  it('normalises to the same transcript on two sandboxes, and reads as a real cluster does', async () => {
    const [a, b] = await Promise.all([once(), once()]);
    expect(a).toBe(b);
    expect(a).toContain('$ kubectl apply -f web.yaml\nexit 0\ndeployment.apps/web created');
    expect(a).toContain('$ kubectl rollout undo deploy/web -n ecp-scenario\nexit 0\ndeployment.apps/web rolled back');
    expect(a).toContain(
      '$ kubectl patch deploy/web -n ecp-scenario -p {"spec":{"replicas":"two"}}\nexit 1\nThe request is invalid: patch: Invalid value: "map[spec:map[replicas:two]]": unrecognized type: int32',
    );
    expect(a).toContain('strict decoding error: unknown field "spec.replica"');
    expect(a).toContain('deployment.apps "web" deleted (server dry run)');
    expect(a).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(a).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
  }, 120_000);
});
