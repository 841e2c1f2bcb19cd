/**
 * Issue 14, the design step: each mutating pipeline operation checks read-only mode and roles at
 * its own top, so an entry point that forgets (a new console key, a server) cannot change
 * anything. Called here straight, past the CLI's guard; no cluster, engine or registry.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { decideApproval } from '../../source/pipeline/approval-decision.js';
import { applyTenant } from '../../source/pipeline/apply.js';
import { buildServices } from '../../source/pipeline/build.js';
import { deploy } from '../../source/pipeline/deploy.js';
import { rollback } from '../../source/pipeline/rollback.js';
import { scanVersion } from '../../source/pipeline/scan.js';
import { tagDeployment } from '../../source/pipeline/deploy-tag.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { changeVersionStatus, registerVersion } from '../../source/pipeline/versions.js';
import { repoRoot } from '../helpers/run-ecp.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

function coreWith(config: string) {
  const repo = gitRepo();
  cpSync(path.join(repoRoot, 'k8s-manifests'), path.join(repo, 'k8s-manifests'), { recursive: true });
  const dataDir = tempDir();
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\n${config}`);
  return { core: createCore(loadConfig({ cwd: repo, env: {} })), dataDir };
}

const input = { serviceName: 'callbot', imageName: 'callbot', imageTag: 'v2', fullImageName: 'localhost:5000/ecp-ai/callbot:v2', gitCommit: 'abc', gitBranch: 'main' };
const noCluster = undefined as never;

describe('every mutating pipeline operation checks its own policy', () => {
  it('refuses in read-only mode, whoever calls it, and writes nothing', async () => {
    const { core, dataDir } = coreWith('readOnly: true\n');
    const refusals = [
      updateManifests(core, { tenant: 'test-download', skipRegistryCheck: true }),
      deploy(core, undefined, { tenant: 'test-download', apply: false, build: false }),
      rollback(core, noCluster, { tenant: 'test-download', service: 'callbot', reason: 'x' }),
      applyTenant(core, noCluster, { tenant: 'test-download' }),
      tagDeployment(core, { tenant: 'test-download' }),
      scanVersion(core, 'callbot-v2-1'),
      registerVersion(core, input),
      changeVersionStatus(core, 'callbot-v2-1', { status: 'blocked' }),
      decideApproval(core, 'apr-1', 'approved'),
      buildServices(core, [], { push: true }, () => undefined),
    ];
    for (const refused of refusals) await expect(refused).rejects.toThrow(/read-only mode .*would change something and is refused/);
    expect(existsSync(path.join(dataDir, 'store.json'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'audit.jsonl'))).toBe(false);
  });

  it('refuses an actor without the role the operation needs', async () => {
    const { core } = coreWith('operators: [someone-else@example.test]\napprovers: [someone-else@example.test]\n');
    await expect(registerVersion(core, input)).rejects.toThrow(/"versions register" needs the operator role: operator@example.test is not listed in operators/);
    await expect(rollback(core, noCluster, { tenant: 'test-download', service: 'callbot', reason: 'x' })).rejects.toThrow(/"rollback" needs the operator role/);
    await expect(decideApproval(core, 'apr-1', 'approved')).rejects.toThrow(/"approve" needs the approver role/);
  });
});
