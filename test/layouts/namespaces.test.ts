/**
 * Issue 20 with issue 14's namespace rule: a service run by several workloads touches every
 * one's namespace, so one workload in a production namespace gates the whole update, and the
 * console asks for the tenant id.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../source/config.js';
import { createCore } from '../../source/core.js';
import { readTenants } from '../../source/monitor/status-view.js';
import { ApprovalPendingError } from '../../source/pipeline/approval-gate.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { readTenantViews } from '../../source/ui/model/console-data.js';
import { tempDir } from '../helpers/temp.js';
import { registerImages } from '../helpers/versions.js';

const workload = (kind: string, name: string, namespace: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: main
          image: localhost:5000/ecp-ai/callbot:v1
`;

describe('a service whose workloads land in several namespaces', () => {
  it('needs the approval a production namespace of any of its workloads needs', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'k8s-manifests', 'shop', 'callbot.yaml');
    mkdirSync(path.dirname(manifest), { recursive: true });
    writeFileSync(manifest, [workload('Deployment', 'callbot-web', 'shop'), workload('StatefulSet', 'callbot-store', 'shop-prod')].join('---\n'));
    writeFileSync(path.join(dir, 'ecp.config.yaml'), `dataDir: ${path.join(dir, 'data')}\napprovers: [lead@example.test]\n`);
    await registerImages(path.join(dir, 'data'), ['localhost:5000/ecp-ai/callbot:v1', 'localhost:5000/ecp-ai/callbot:v2']);
    const core = createCore(loadConfig({ cwd: dir, env: {} }));
    const before = readFileSync(manifest, 'utf8');
    const error = await updateManifests(core, { tenant: 'shop', service: 'callbot', tag: 'v2', skipRegistryCheck: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalPendingError);
    expect((error as ApprovalPendingError).approval).toMatchObject({ action: 'update-manifests', tenantId: 'shop', namespace: 'shop-prod' });
    expect(readFileSync(manifest, 'utf8')).toBe(before);
    const [view] = await readTenantViews(core, await readTenants(core), undefined, Date.now());
    expect(view!.protectedNamespaces).toEqual(['shop-prod']);
  });
});
