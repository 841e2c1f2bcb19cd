/**
 * Issue 20, "nothing watched is not all good": the Argo CD install read with the default
 * registry/prefix (localhost:5000/ecp-ai), so none of its workloads runs a service ecp manages.
 * --once used to say "0 services in 1 tenants … — all good" and exit 0.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

describe('a tenant with workloads but nothing managed', () => {
  let dir: string;
  const ecp = (args: string[]) => runEcp(args, { cwd: dir, env: { KUBECONFIG: path.join(dir, 'no-kubeconfig') } });

  beforeAll(() => {
    dir = tempDir();
    cpSync(path.join(repoRoot, 'test/fixtures/layouts/argocd'), path.join(dir, 'k8s-manifests', 'argocd'), { recursive: true });
    writeFileSync(path.join(dir, 'ecp.config.yaml'), `dataDir: ${path.join(dir, 'data')}\n`);
  });

  it('--once exits 1 saying which tenant watches nothing and why', async () => {
    const r = await ecp(['--once', '--sandbox']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'argocd (namespace argocd) — watches nothing: tenant argocd has 7 workloads but no service ecp manages: none of their images (quay.io/argoproj/argocd, ghcr.io/dexidp/dex, public.ecr.aws/docker/library/redis) is under localhost:5000/ecp-ai/',
    );
    expect(r.stdout).toMatch(/0 services in 1 tenant .*, 1 tenant watching nothing \(argocd\) — attention needed/);
    const json = JSON.parse((await ecp(['--once', '--sandbox', '--json'])).stdout);
    expect(json.exitCode).toBe(1);
    expect(json.tenants[0].watchesNothing).toMatch(/name one in ecp\.config\.yaml, e\.g\. services: \[\{name: argocd, image: quay\.io\/argoproj\/argocd\}\]/);
  });

  it('services and validate say so too, validate as a warning naming what to add to the config', async () => {
    const services = await ecp(['services', 'argocd']);
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(/^Tenant argocd watches nothing: tenant argocd has 7 workloads but no service ecp manages/m);
    const validate = await ecp(['validate', 'argocd']);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/warning \[tenant\] tenant argocd has 7 workloads but no service ecp manages: .*services: \[\{name: argocd, image: quay\.io\/argoproj\/argocd\}\]/);
  });

  it('once the image is named in the config, the tenant watches its service', async () => {
    writeFileSync(
      path.join(dir, 'ecp.config.yaml'),
      `dataDir: ${path.join(dir, 'data')}\nservices:\n  - name: argocd\n    image: quay.io/argoproj/argocd\n    workloads: [argocd-server, argocd-application-controller]\n`,
    );
    const json = JSON.parse((await ecp(['services', 'argocd', '--json'])).stdout);
    expect(json.services.map((s: { name: string; workloads: { name: string }[] }) => [s.name, s.workloads.map((w) => w.name)])).toEqual([
      ['argocd', ['argocd-server', 'argocd-application-controller']],
    ]);
    expect(json.nothingManaged).toBeNull();
    const validate = await ecp(['validate', 'argocd']);
    expect(validate.stdout).toMatch(
      /warning \[image\] Deployment\/argocd-repo-server .*: image quay\.io\/argoproj\/argocd:v2\.13\.0 is service argocd's, but its workloads: in the config do not list argocd-repo-server; ecp leaves this workload alone/,
    );
    expect(validate.stdout).not.toMatch(/argocd-server .*leaves this workload alone/);
    const r = await ecp(['--once', '--sandbox', '--json']);
    expect(JSON.parse(r.stdout).tenants[0].watchesNothing).toBeUndefined();
    expect(JSON.parse(r.stdout).tenants[0].rows.map((row: { service: string }) => row.service)).toEqual(['argocd']);
  });
});
