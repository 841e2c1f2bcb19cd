/**
 * `ecp validate --sandbox` catches what a real API server's typed decoding catches: the sandbox
 * is seeded from the same manifests (an object that does not decode stays out), and the
 * server-side dry run of each is refused.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecpEnv, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { runEcp } from '../helpers/run-ecp.js';
import { workloadYaml } from './helpers.js';

describe('ecp validate --sandbox', () => {
  // (Unknown fields never reach the server: client-node's serializer drops what its models do not declare.)
  it('reports a wrong type as the server-side dry run refuses it', async () => {
    const ws = manifestWorkspace([]);
    mkdirSync(path.join(ws.manifests, 'shop'));
    writeFileSync(path.join(ws.manifests, 'shop', 'namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    writeFileSync(path.join(ws.manifests, 'shop', 'web.yaml'), workloadYaml('Deployment', 'web', { container: '        ports: [{containerPort: http}]\n' }));
    seedStore(ws.data, [version('web', 'v1')]);
    const result = await runEcp(['validate', 'shop', '--sandbox'], { cwd: ws.root, env: ecpEnv(ws) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'error [dry-run] Deployment/web: server rejected it (500): failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].ports[containerPort="http"].containerPort: expected numeric (int or float), got string',
    );
  });
});
