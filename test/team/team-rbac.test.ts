/**
 * Team mode under RBAC (issue 16), on the real control plane (the sandbox has no RBAC): a user
 * without the Role meets one sentence naming the verb and resource it lacks (exit 2), and the
 * Role in docs/team-store-role.yaml is all a namespace-limited operator needs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeTargets, limitedKubeconfig } from '../helpers/cluster-target.js';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { openTeamStore, sharedTarget, storeNamespace } from '../helpers/team-store.js';
import { gitRepo } from '../helpers/temp.js';

const body = JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: 'v1', full_image_name: 'localhost:5000/ecp-ai/callbot:v1', git_commit: 'abc1234', git_branch: 'main' });

describeTargets(
  'the team store under RBAC',
  (kind) => {
    const target = sharedTarget(kind);
    let namespace: string;
    let repo: string;
    beforeAll(async () => {
      namespace = await storeNamespace(target);
      repo = gitRepo();
      writeFileSync(path.join(repo, 'ecp.config.yaml'), `store:\n  backend: kubernetes\n  namespace: ${namespace}\n`);
    });

    it('names the verb and resource RBAC refuses, and the documented Role is enough', async () => {
      const env = { KUBECONFIG: limitedKubeconfig(target) };
      const refused = await runEcp(['versions', 'list', 'callbot'], { cwd: repo, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toMatch(
        new RegExp(`^ecp: The team store refused .*: this user may not list configmaps in namespace ${namespace} of .* \\(RBAC\\); bind the Role in docs/team-store-role\\.yaml; nothing changed\\.$`),
      );

      const role = readFileSync(path.join(repoRoot, 'docs/team-store-role.yaml'), 'utf8')
        .replaceAll('namespace: ecp-system', `namespace: ${namespace}`)
        .replace('name: ops@example.com', 'name: ecp-limited');
      expect((await target.kubectl(['apply', '-f', '-'], role)).code).toBe(0);
      const registered = await runEcp(['versions', 'register', '--data', body], { cwd: repo, env });
      expect(registered.stderr).toBe('');
      expect(registered.code).toBe(0);
      expect((await runEcp(['versions', 'list', 'callbot'], { cwd: repo, env })).stdout).toMatch(/callbot:v1|v1/);
      expect((await runEcp(['audit', 'verify'], { cwd: repo, env })).code).toBe(0);
      const limited = openTeamStore(target, namespace, 50, env.KUBECONFIG);
      expect(await limited.holdService('acme', 'callbot', { action: 'deploy', actor: 'ecp-limited' }, async () => 'held')).toBe('held');
    }, 120_000);
  },
  'real',
);
