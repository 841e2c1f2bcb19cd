/**
 * No team-store command hangs (issue 16): a request the API server never answers is abandoned
 * after its deadline and sent again, so the write completes once, on the sandbox behind a proxy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerVersion } from '../../source/pipeline/versions.js';
import { type ClusterTarget, describeTargets, startTarget } from '../helpers/cluster-target.js';
import { type FaultProxy, faultProxy } from '../helpers/fault-proxy.js';
import { openTeamStore, storeNamespace, teamCore } from '../helpers/team-store.js';
import { tempDir } from '../helpers/temp.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

describeTargets(
  'a team store request that is never answered',
  () => {
    let target: ClusterTarget;
    let proxy: FaultProxy;
    let kubeconfig: string;
    beforeAll(async () => {
      target = await startTarget('sandbox');
      proxy = await faultProxy(target.url);
      kubeconfig = path.join(tempDir(), 'kubeconfig');
      writeFileSync(kubeconfig, readFileSync(target.kubeconfig, 'utf8').replace(target.url, proxy.url));
    });
    afterAll(async () => {
      await proxy?.close();
      await target?.stop();
    });

    it('is abandoned after its deadline and sent again: the registration lands once', async () => {
      const namespace = await storeNamespace(target);
      const store = openTeamStore(target, namespace, 50, kubeconfig);
      const core = teamCore(store);
      proxy.swallowNext();
      const version = await registerVersion(core, {
        serviceName: 'callbot',
        imageName: 'callbot',
        imageTag: 'v1',
        fullImageName: 'localhost:5000/ecp-ai/callbot:v1',
        gitCommit: 'abc1234',
        gitBranch: 'main',
      });
      expect((await store.read()).versions.map((v) => v.id)).toEqual([version.id]);
      expect(await store.audit.verify()).toMatchObject({ ok: true, count: 1 });
    }, 40_000);
  },
  'sandbox',
);
