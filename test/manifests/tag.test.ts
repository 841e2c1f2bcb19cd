/** `ecp tag` on real git repositories in temp folders, with a bare repository as the remote. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, fixturesDir, readStore, seedStore, version } from '../helpers/manifests.js';
import { runEcpInProcess } from '../helpers/run-ecp.js';
import { git, gitEnv, gitRepo, tempDir } from '../helpers/temp.js';

interface Repo {
  dir: string;
  data: string;
  remote: string;
}

function makeRepo(config = ''): Repo {
  const dir = gitRepo('main');
  cpSync(path.join(fixturesDir, 'acme'), path.join(dir, 'k8s-manifests', 'acme'), { recursive: true });
  cpSync(path.join(fixturesDir, 'acme'), path.join(dir, 'k8s-manifests', 'globex'), { recursive: true });
  writeFileSync(path.join(dir, 'README.md'), '# deploys\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
  if (config) writeFileSync(path.join(dir, 'ecp.config.yaml'), config);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'manifests');
  const remote = path.join(tempDir('ecp-remote-'), 'origin.git');
  git(path.dirname(remote), 'init', '-q', '--bare', remote);
  git(dir, 'remote', 'add', 'origin', remote);
  const data = tempDir('ecp-data-');
  return { dir, data, remote };
}

const env = (repo: Repo) => ({ ...gitEnv, ECP_DATA_DIR: repo.data, ECP_CONFIG: '', K8S_MANIFESTS_DIR: '', DOCKER_REGISTRY: 'localhost:5000', IMAGE_PREFIX: 'ecp-ai' });
const run = (repo: Repo, args: string[]) => runEcpInProcess(args, { cwd: repo.dir, env: env(repo) });

function setTag(repo: Repo, tenant: string, file: string, from: string, to: string): void {
  const p = path.join(repo.dir, 'k8s-manifests', tenant, file);
  writeFileSync(p, readFileSync(p, 'utf8').replaceAll(from, to));
}

describe('ecp tag', () => {
  let repo: Repo;
  beforeEach(() => {
    repo = makeRepo();
    seedStore(
      repo.data,
      [version('callbot', 'v1.2.0-2222222')],
      [
        { id: 'd1', tenantId: 'acme', namespace: 'acme', serviceName: 'callbot', toImage: 'x', kind: 'deploy', status: 'succeeded', actor: 'a', startedAt: '2026-01-01T00:00:00Z' },
        {
          id: 'd0',
          tenantId: 'acme',
          namespace: 'acme',
          serviceName: 'callbot',
          toImage: 'x',
          kind: 'deploy',
          status: 'succeeded',
          actor: 'a',
          startedAt: '2025-01-01T00:00:00Z',
          gitTag: 'deploy/acme/older',
        },
        { id: 'd2', tenantId: 'globex', namespace: 'globex', serviceName: 'callbot', toImage: 'x', kind: 'deploy', status: 'succeeded', actor: 'a', startedAt: '2026-01-01T00:00:00Z' },
      ],
    );
  });

  it("commits only the tenant's files with service: old → new, tags the commit and pushes both to a bare remote", async () => {
    setTag(repo, 'acme', 'callbot.yaml', 'v1.0.0-aaaaaaa', 'v1.2.0-2222222');
    setTag(repo, 'acme', 'advisor.yaml', 'v0.9.0-ccccccc', 'v1.0.0-5555555');
    writeFileSync(path.join(repo.dir, 'k8s-manifests/acme/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n');
    // Other changes that must stay out of the commit: another tenant, a dirty file, a staged file.
    setTag(repo, 'globex', 'callbot.yaml', 'v1.0.0-aaaaaaa', 'v7');
    writeFileSync(path.join(repo.dir, 'notes.txt'), 'notes, edited\n');
    writeFileSync(path.join(repo.dir, 'README.md'), '# deploys (staged)\n');
    git(repo.dir, 'add', 'README.md');

    const result = await run(repo, ['tag', 'acme', '--push']);
    expect(result.stderr).not.toContain('ecp: unexpected');
    expect(result.code).toBe(0);
    const tag = /tagged it (\S+)\./.exec(result.stdout)?.[1];
    expect(tag).toMatch(/^deploy\/acme\/\d{8}-\d{6}$/);

    const committed = git(repo.dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort();
    expect(committed).toEqual(['k8s-manifests/acme/advisor.yaml', 'k8s-manifests/acme/callbot.yaml', 'k8s-manifests/acme/extra.yaml']);
    const status = git(repo.dir, 'status', '--porcelain');
    expect(status).toContain('M  README.md'); // still staged, not committed
    expect(status).toContain(' M notes.txt');
    expect(status).toContain(' M k8s-manifests/globex/callbot.yaml');

    const message = git(repo.dir, 'log', '-1', '--format=%B');
    expect(message).toContain('Deploy acme: ');
    expect(message).toContain('callbot: v1.0.0-aaaaaaa → v1.2.0-2222222');
    expect(message).toContain('advisor: v0.9.0-ccccccc → v1.0.0-5555555');
    expect(git(repo.dir, 'cat-file', '-t', tag!)).toBe('tag'); // annotated
    const tagMessage = git(repo.dir, 'tag', '-l', '--format=%(contents)', tag!);
    expect(tagMessage).toContain('callbot: v1.0.0-aaaaaaa → v1.2.0-2222222');
    expect(tagMessage).toContain('advisor: v0.9.0-ccccccc → v1.0.0-5555555');
    expect(git(repo.dir, 'rev-parse', `${tag}^{commit}`)).toBe(git(repo.dir, 'rev-parse', 'HEAD'));

    // the bare remote has the branch at the commit and the tag
    expect(git(repo.remote, 'rev-parse', 'refs/heads/main')).toBe(git(repo.dir, 'rev-parse', 'HEAD'));
    expect(git(repo.remote, 'rev-parse', `refs/tags/${tag}`)).toBe(git(repo.dir, 'rev-parse', tag!));

    // the tag is recorded on the tenant's untagged deployment records only
    const deployments = readStore(repo.data).deployments;
    expect(deployments.find((d) => d.id === 'd1')!.gitTag).toBe(tag);
    expect(deployments.find((d) => d.id === 'd0')!.gitTag).toBe('deploy/acme/older');
    expect(deployments.find((d) => d.id === 'd2')!.gitTag).toBeUndefined();
    const event = auditEvents(repo.data).find((e) => e.action === 'git.tag')!;
    expect(event).toMatchObject({ target: 'acme', actor: 'operator@example.test' });
    expect(event.details).toMatchObject({ tag, pushed: true, remote: 'origin', deploymentsTagged: 1 });
  });

  it('a push the remote rejects is exit 1, not 2: the commit and tag it made stay and are named', async () => {
    // Another operator pushed to the remote's main meanwhile: our push is not a fast-forward.
    git(repo.dir, 'push', '-q', 'origin', 'main');
    const other = path.join(tempDir('ecp-other-'), 'clone');
    git(path.dirname(other), 'clone', '-q', '-b', 'main', repo.remote, other);
    git(other, 'commit', '-q', '--allow-empty', '-m', 'pushed by someone else');
    git(other, 'push', '-q', 'origin', 'main');
    setTag(repo, 'acme', 'callbot.yaml', 'v1.0.0-aaaaaaa', 'v1.2.0-2222222');

    const result = await run(repo, ['tag', 'acme', '--push']);
    expect(result.code).toBe(1);
    const tag = git(repo.dir, 'tag', '-l');
    expect(tag).toMatch(/^deploy\/acme\/\d{8}-\d{6}$/);
    expect(result.stderr).toContain(`commit ${git(repo.dir, 'rev-parse', '--short=7', 'HEAD')} and tag ${tag} exist locally.`);
    expect(auditEvents(repo.data).find((e) => e.action === 'git.tag')!.details).toMatchObject({ tag, pushed: false });
  });

  it('nothing to commit: exit 0 saying so, and no tag', async () => {
    writeFileSync(path.join(repo.dir, 'notes.txt'), 'dirty elsewhere\n');
    const before = git(repo.dir, 'rev-parse', 'HEAD');
    const result = await run(repo, ['tag', 'acme']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to commit for tenant acme: k8s-manifests/acme/ has no changes; no tag was created.');
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(repo.dir, 'tag', '-l')).toBe('');
  });

  it('uses the configured pattern and adds a suffix when the tag exists; --message sets the subject', async () => {
    repo = makeRepo('gitTagPattern: "release/{tenant}"\n');
    setTag(repo, 'acme', 'callbot.yaml', 'v1.0.0-aaaaaaa', 'v2');
    const first = await run(repo, ['tag', 'acme', '--message', 'Roll callbot to v2']);
    expect(first.code).toBe(0);
    setTag(repo, 'acme', 'callbot.yaml', 'v2', 'v3');
    const second = await run(repo, ['tag', 'acme', '--json']);
    expect(second.code).toBe(0);
    expect(git(repo.dir, 'tag', '-l').split('\n')).toEqual(['release/acme', 'release/acme-2']);
    const json = JSON.parse(second.stdout);
    expect(json.tag).toBe('release/acme-2');
    expect(json.changes).toEqual([{ service: 'callbot', from: 'localhost:5000/ecp-ai/callbot:v2', to: 'localhost:5000/ecp-ai/callbot:v3', fromTag: 'v2', toTag: 'v3' }]);
    expect(git(repo.dir, 'log', '-2', '--format=%s').split('\n')).toEqual(['Deploy acme: callbot v3', 'Roll callbot to v2']);
  });

  it('refuses, with nothing committed: a manifests folder outside the work tree, a missing remote, a bad tenant', async () => {
    setTag(repo, 'acme', 'callbot.yaml', 'v1.0.0-aaaaaaa', 'v2');
    const before = git(repo.dir, 'rev-parse', 'HEAD');
    const outside = tempDir('ecp-outside-');
    mkdirSync(path.join(outside, 'acme'));
    writeFileSync(path.join(outside, 'acme', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['tag', 'acme'], { K8S_MANIFESTS_DIR: outside }, /The manifests folder .* is not inside the git work tree .*; ecp tag cannot commit it\./],
      [['tag', 'acme', '--push'], { ECP_CONFIG: '' }, /./],
      [['tag', '../etc'], {}, /Tenant id "\.\.\/etc" is not a valid DNS-1123 label/],
      [['tag', 'initech'], {}, /Tenant "initech" does not exist/],
    ];
    git(repo.dir, 'remote', 'remove', 'origin');
    cases[1]![2] = /The git remote "origin" \(gitRemote\) does not exist in .*; nothing was committed\./;
    for (const [args, extra, message] of cases) {
      const result = await runEcpInProcess(args, { cwd: repo.dir, env: { ...env(repo), ...extra } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(repo.dir, 'tag', '-l')).toBe('');
  });

  it('a work folder that is not a git repository is one clear sentence', async () => {
    const dir = tempDir('ecp-nogit-');
    cpSync(path.join(fixturesDir, 'acme'), path.join(dir, 'k8s-manifests', 'acme'), { recursive: true });
    const result = await runEcpInProcess(['tag', 'acme'], { cwd: dir, env: { ...env(repo), GIT_CEILING_DIRECTORIES: path.dirname(dir) } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not inside a git work tree/);
  });
});
