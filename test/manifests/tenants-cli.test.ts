/** `ecp tenants` and `ecp services` through the real binary. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecpEnv, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { runEcpInProcess } from '../helpers/run-ecp.js';

describe('ecp tenants / services', () => {
  const ws = manifestWorkspace(['acme', 'globex']);
  seedStore(ws.data, [version('callbot', 'v1.0.0-aaaaaaa'), version('chatbot', 'v2.0.0-bbbbbbb', { status: 'blocked' })]);
  const run = (args: string[]) => runEcpInProcess(args, { cwd: ws.root, env: ecpEnv(ws) });

  it('lists tenants with namespace, files and services', async () => {
    const text = await run(['tenants']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^TENANT\s+NAMESPACE\s+FILES\s+SERVICES/);
    expect(text.stdout).toMatch(/^acme\s+acme\s+4\s+advisor,callbot,chatbot/m);
    const json = JSON.parse((await run(['tenants', '--json'])).stdout);
    expect(json.tenants.map((t: { id: string }) => t.id)).toEqual(['acme', 'globex']);
    expect(json.tenants[0]).toMatchObject({ namespace: 'acme', services: ['advisor', 'callbot', 'chatbot'] });
  });

  it("lists a tenant's services with tag, replicas, version state and file:line", async () => {
    const text = await run(['services', 'acme']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^callbot\s+Deployment\s+callbot\s+acme\s+v1\.0\.0-aaaaaaa\s+2\s+ready\s+k8s-manifests\/acme\/callbot\.yaml:26$/m);
    expect(text.stdout).toMatch(/^chatbot\s+Deployment\s+chatbot\s+acme\s+v2\.0\.0-bbbbbbb\s+1\s+blocked\s/m);
    expect(text.stdout).toMatch(/^advisor\s+StatefulSet\s+advisor\s+acme\s+v0\.9\.0-ccccccc\s+1\s+unregistered\s/m);
    expect(text.stdout).toContain('not managed: Deployment redis');
    const json = JSON.parse((await run(['services', 'acme', '--json'])).stdout);
    const callbot = json.services.find((s: { name: string }) => s.name === 'callbot');
    expect(callbot).toMatchObject({
      namespace: 'acme',
      image: 'localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa',
      tag: 'v1.0.0-aaaaaaa',
      workloads: [{ name: 'callbot', kind: 'Deployment', replicas: 2, documentIndex: 1 }],
      version: 'ready',
    });
    expect(callbot.workloads[0].containers.map((c: { name: string }) => c.name)).toEqual(['callbot', 'migrate']);
    expect(json.unmanaged).toEqual([expect.objectContaining({ name: 'redis', images: ['docker.io/redis:7.2-alpine'] })]);
  });

  it('bad tenant ids and unknown tenants: exit 2, one sentence', async () => {
    for (const [id, message] of [
      ['../etc', /Tenant id "\.\.\/etc" is not a valid DNS-1123 label/],
      ['a;b', /Tenant id "a;b" is not a valid DNS-1123 label/],
      ['Acme', /Tenant id "Acme" is not a valid DNS-1123 label/],
      ['initech', /Tenant "initech" does not exist: there is no folder \S+\/k8s-manifests\/initech with YAML files in \S+\/k8s-manifests\./],
    ] as const) {
      const result = await run(['services', id]);
      expect(result.code, id).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('ecp services with a file that does not parse', () => {
  it('lists what parses and names the file it could not read, on stderr and in --json', async () => {
    const ws = manifestWorkspace(['globex']);
    writeFileSync(path.join(ws.manifests, 'globex', 'broken.yaml'), 'apiVersion: apps/v1\nkind: [Deployment\n');
    const run = (args: string[]) => runEcpInProcess(args, { cwd: ws.root, env: ecpEnv(ws) });

    const text = await run(['services', 'globex']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^callbot\s+Deployment/m);
    expect(text.stderr).toMatch(/^ecp: warning: k8s-manifests\/globex\/broken\.yaml:\d+:\d+ is not valid YAML \(.+\); its objects are not listed\.$/m);
    const json = JSON.parse((await run(['services', 'globex', '--json'])).stdout);
    expect(json.invalidFiles).toEqual([expect.objectContaining({ file: 'k8s-manifests/globex/broken.yaml', line: expect.any(Number) })]);
  });
});
