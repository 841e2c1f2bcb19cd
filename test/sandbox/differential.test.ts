/**
 * Issue 13's differential check: the kubectl scenario (scenario/scenario.ts) against the sandbox
 * and against the real control plane, their normalised transcripts compared. Any difference not
 * in KNOWN_DIFFERENCES fails, with the diff. Runs where the real control plane runs (`.ci/run`,
 * or after `scripts/kube-env.sh --start`); elsewhere it is skipped loudly (a failure under CI=true).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeTargets, startTarget, type ClusterTarget } from '../helpers/cluster-target.js';
import { tempDir } from '../helpers/temp.js';
import { sandbox } from './helpers.js';
import { differences, runScenario, type StepResult } from './scenario/scenario.js';

async function scenarioOn(kubeconfig: string): Promise<StepResult[]> {
  const work = tempDir('ecp-differential-');
  return runScenario({ kubeconfig, cacheDir: path.join(work, 'cache'), workDir: work });
}

describeTargets(
  'the kubectl scenario on the sandbox and on a real API server',
  () => {
    let real: ClusterTarget;
    beforeAll(async () => {
      real = await startTarget('real');
    }, 900_000);
    afterAll(() => real?.stop());

    it('answers alike, known differences aside', async () => {
      const sb = await sandbox({ stepMs: 50 });
      const onSandbox = await scenarioOn(sb.kubeconfig);
      const onReal = await scenarioOn(real.kubeconfig);
      // The scenario ran: its first rollout finished on both (a dead target would answer "alike" in errors).
      for (const results of [onSandbox, onReal]) expect(results.find((r) => r.command.startsWith('kubectl rollout status deploy/web'))).toMatchObject({ code: 0 });
      const diff = differences(onSandbox, onReal, ['sandbox', 'real control plane']);
      expect(diff, `the sandbox answered the scenario differently from the real control plane; fix the sandbox or list the step in KNOWN_DIFFERENCES with its reason:\n${diff}`).toBeUndefined();
    }, 600_000);
  },
  'real',
);
