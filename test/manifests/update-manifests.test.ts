/** `ecp update-manifests` through the real binary: only image lines change, refusals, --force, --dry-run, all-or-nothing. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, ecpEnv, fixturesDir, closedAddress, lineDiff, manifestWorkspace, retarget, seedStore, snapshot, version } from '../helpers/manifests.js';
import { currentActor } from '../../source/adapters/identity.js';
import { clearManifestCache } from '../../source/adapters/manifests.js';
import { runEcp, runEcpInProcess } from '../helpers/run-ecp.js';

type Workspace = ReturnType<typeof manifestWorkspace>;
const fixture = (file: string) => readFileSync(path.join(fixturesDir, 'acme', file), 'utf8');

function run(ws: Workspace, args: string[]) {
  return runEcpInProcess(args, { cwd: ws.root, env: ecpEnv(ws) });
}

const READY = [
  version('callbot', 'v1.1.0-1111111'),
  version('callbot', 'v1.2.0-2222222'),
  version('callbot', 'v1.3.0-3333333', { status: 'blocked' }), // newest, but blocked
  version('callbot', 'v1.4.0-4444444', { status: 'pushed', scan: 'pending' }), // newest, not ready
  version('advisor', 'v1.0.0-5555555'),
  version('chatbot', 'v2.1.0-6666666', { status: 'ready', scan: 'failed' }), // scan failed: never a default target
];

describe('ecp update-manifests', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = manifestWorkspace(['acme']);
    seedStore(ws.data, READY);
  });

  it("moves each service to its newest ready version and changes only the services' image lines", async () => {
    const before = snapshot(ws.manifests);
    const result = await run(ws, ['update-manifests', 'acme', '--skip-registry-check']);
    expect(result.stderr).toContain('registry check skipped');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('callbot: v1.0.0-aaaaaaa → v1.2.0-2222222');
    expect(result.stdout).toContain('advisor: v0.9.0-ccccccc → v1.0.0-5555555');
    expect(result.stdout).toContain('chatbot: skipped (no ready version is registered)');
    const after = snapshot(ws.manifests);

    // callbot: the main container and the init container with the same image (a quoted value with
    // a trailing comment, and a plain one); sidecars, the other init container, comments untouched.
    expect(lineDiff(before.get('acme/callbot.yaml')!, after.get('acme/callbot.yaml')!)).toEqual([
      [57, '        image: localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa', '        image: localhost:5000/ecp-ai/callbot:v1.2.0-2222222'],
      [61, '        image: "localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa"   # managed by ecp', '        image: "localhost:5000/ecp-ai/callbot:v1.2.0-2222222"   # managed by ecp'],
    ]);
    expect(lineDiff(before.get('acme/advisor.yaml')!, after.get('acme/advisor.yaml')!)).toEqual([
      [20, '          image: localhost:5000/ecp-ai/advisor:v0.9.0-ccccccc', '          image: localhost:5000/ecp-ai/advisor:v1.0.0-5555555'],
    ]);
    expect(after.get('acme/chatbot.yaml')).toBe(before.get('acme/chatbot.yaml'));
    expect(after.get('acme/redis.yml')).toBe(before.get('acme/redis.yml'));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort()); // no temp files left

    const events = auditEvents(ws.data);
    expect(events.map((e) => e.action)).toEqual(['manifests.update']);
    expect(events[0]!.target).toBe('acme');
    expect(events[0]!.actor).toBe(await currentActor(ws.root));
    expect(events[0]!.details).toMatchObject({ registryCheck: 'skipped', force: null });
  });

  it('keeps flow style and single quotes when the image sits in a flow map', async () => {
    seedStore(ws.data, [...READY, version('chatbot', 'v2.2.0-7777777')]);
    const result = await run(ws, ['update-manifests', 'acme', '--service', 'chatbot', '--skip-registry-check']);
    expect(result.code).toBe(0);
    const after = readFileSync(path.join(ws.manifests, 'acme/chatbot.yaml'), 'utf8');
    expect(lineDiff(fixture('chatbot.yaml'), after)).toEqual([
      [
        12,
        "        - {name: chatbot, image: 'localhost:5000/ecp-ai/chatbot:v2.0.0-bbbbbbb', ports: [{containerPort: 8080}]}",
        "        - {name: chatbot, image: 'localhost:5000/ecp-ai/chatbot:v2.2.0-7777777', ports: [{containerPort: 8080}]}",
      ],
    ]);
  });

  it("edits the container's image, not another field on its own line with the same value", async () => {
    seedStore(ws.data, [...READY, version('chatbot', 'v2.2.0-7777777')]);
    const file = path.join(ws.manifests, 'acme/chatbot.yaml');
    const image = "'localhost:5000/ecp-ai/chatbot:v2.0.0-bbbbbbb'";
    const before = fixture('chatbot.yaml').replace('    metadata: {labels: {app: chatbot}}\n', `    metadata:\n      labels: {app: chatbot}\n      annotations:\n        image: ${image}\n`);
    writeFileSync(file, before);
    const result = await run(ws, ['update-manifests', 'acme', '--service', 'chatbot', '--skip-registry-check']);
    expect(result.code).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(lineDiff(before, after)).toEqual([[15, expect.stringContaining(`image: ${image}`), expect.stringContaining("image: 'localhost:5000/ecp-ai/chatbot:v2.2.0-7777777'")]]);
    // Read in the same process (the parsed form the update kept), the tenant validates as a fresh read of the files does.
    const kept = await run(ws, ['validate', 'acme']);
    clearManifestCache();
    const fresh = await run(ws, ['validate', 'acme']);
    expect(kept.stdout).toContain('acme: 4 files, 8 objects');
    expect([kept.code, kept.stdout]).toEqual([fresh.code, fresh.stdout]);
  });

  it('--dry-run prints the unified diff and writes nothing', async () => {
    const before = snapshot(ws.manifests);
    const result = await run(ws, ['update-manifests', 'acme', '--service', 'callbot', '--dry-run', '--skip-registry-check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- a/acme/callbot.yaml');
    expect(result.stdout).toContain('+++ b/acme/callbot.yaml');
    expect(result.stdout).toContain('-        image: "localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa"   # managed by ecp');
    expect(result.stdout).toContain('+        image: "localhost:5000/ecp-ai/callbot:v1.2.0-2222222"   # managed by ecp');
    expect(result.stdout.split('\n').filter((l) => /^[-+] /.test(l) || /^[-+]\s/.test(l)).length).toBe(4);
    expect(result.stdout).toContain('Dry run: nothing was written');
    expect(snapshot(ws.manifests)).toEqual(before);
    expect(auditEvents(ws.data)).toEqual([]);
  });

  it('refuses an unregistered or blocked tag with exit 2 and writes nothing; --force writes it and is audited', async () => {
    const before = snapshot(ws.manifests);
    const unregistered = await run(ws, ['update-manifests', 'acme', '--service', 'callbot', '--tag', 'v9.9.9', '--skip-registry-check']);
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toContain('tag v9.9.9 is not registered for callbot');
    expect(unregistered.stderr).toContain('nothing was written');
    const blocked = await run(ws, ['update-manifests', 'acme', '--service', 'callbot', '--tag', 'v1.3.0-3333333', '--skip-registry-check']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/callbot:v1.3.0-3333333 is blocked/);
    const scanFailed = await run(ws, ['update-manifests', 'acme', '--service', 'chatbot', '--tag', 'v2.1.0-6666666', '--skip-registry-check']);
    expect(scanFailed.code).toBe(2);
    expect(snapshot(ws.manifests)).toEqual(before);
    expect(auditEvents(ws.data)).toEqual([]);

    const forced = await run(ws, ['update-manifests', 'acme', '--service', 'callbot', '--tag', 'v1.3.0-3333333', '--force', '--reason', 'hotfix approved by on-call', '--skip-registry-check']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('callbot: v1.0.0-aaaaaaa → v1.3.0-3333333');
    expect(forced.stdout).toContain('[forced: callbot:v1.3.0-3333333 is blocked');
    const event = auditEvents(ws.data).find((e) => e.action === 'manifests.update')!;
    expect(event.actor).toBe(await currentActor(ws.root));
    expect(event.details.reason).toBe('hotfix approved by on-call');
    expect(JSON.stringify(event.details.force)).toContain('callbot:v1.3.0-3333333 is blocked');
  });

  it('--version ID writes that version', async () => {
    const target = READY[0]!;
    const result = await run(ws, ['update-manifests', 'acme', '--version', target.id, '--skip-registry-check', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.changes).toHaveLength(1);
    expect(json.changes[0]).toMatchObject({ service: 'callbot', toTag: 'v1.1.0-1111111', versionId: target.id });
    expect(readFileSync(path.join(ws.manifests, 'acme/callbot.yaml'), 'utf8')).toContain('callbot:v1.1.0-1111111');
  });

  it('all-or-nothing: one file that does not parse means no file changes', async () => {
    appendFileSync(path.join(ws.manifests, 'acme/chatbot.yaml'), '---\nkind: [Broken\n');
    const before = snapshot(ws.manifests);
    const result = await run(ws, ['update-manifests', 'acme', '--skip-registry-check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/acme\/chatbot\.yaml:\d+:\d+ is not valid YAML/);
    expect(result.stderr).toContain('nothing was changed');
    expect(snapshot(ws.manifests)).toEqual(before);
  });

  it('bad input: one sentence, exit 2, no file changed', async () => {
    const before = snapshot(ws.manifests);
    const cases: [string[], RegExp][] = [
      [['update-manifests', '../etc'], /Tenant id "\.\.\/etc" is not a valid DNS-1123 label/],
      [['update-manifests', 'a;b'], /Tenant id "a;b" is not a valid DNS-1123 label/],
      [['update-manifests', 'Acme'], /Tenant id "Acme" is not a valid DNS-1123 label/],
      [['update-manifests', 'initech'], /Tenant "initech" does not exist: there is no folder .*k8s-manifests\/initech/],
      [['update-manifests'], /Missing tenant/],
      [['update-manifests', 'acme', '--all'], /Give tenants or --all, not both/],
      [
        ['update-manifests', 'acme', '--service', 'redis'],
        /Tenant "acme" has no service "redis": Deployment redis \(.*redis\.yml:2\) runs the images docker\.io\/redis:7\.2-alpine, none of them redis's/,
      ],
      [['update-manifests', 'acme', '--service', 'nobot'], /Tenant "acme" has no service "nobot" \(its services: advisor, callbot, chatbot;/],
      [['update-manifests', 'acme', '--service', 'Bad_Name'], /Service name "Bad_Name" is not a valid DNS-1123 label/],
      [['update-manifests', 'acme', '--tag', 'bad tag!'], /Image tag "bad tag!" is not a valid Docker tag/],
      [['update-manifests', 'acme', '--tag', 'v1', '--version', 'x'], /Give --tag or --version, not both/],
      [['update-manifests', 'acme', '--version', 'callbot-nope-1'], /No version has the id "callbot-nope-1"/],
    ];
    for (const [args, message] of cases) {
      const result = await run(ws, args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(
        result.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('ecp: ') && !l.startsWith('ecp: warning')).length,
      ).toBe(1);
    }
    expect(snapshot(ws.manifests)).toEqual(before);
  });

  it('--readonly refuses to write but still allows --dry-run', async () => {
    const refused = await run(ws, ['update-manifests', 'acme', '--readonly', '--skip-registry-check']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/read-only/);
    const dry = await run(ws, ['update-manifests', 'acme', '--readonly', '--dry-run', '--skip-registry-check']);
    expect(dry.code).toBe(0);
  });

  it('an unreachable registry is exit 2 naming the registry and the image; nothing is written', async () => {
    const closed = await closedAddress();
    retarget(ws, closed);
    seedStore(ws.data, [version('callbot', 'v1.2.0-2222222', { registry: closed })]);
    const before = snapshot(ws.manifests);
    // Killed after 15 s (code null): the check must fail fast, not wait out retries.
    const result = await runEcp(['update-manifests', 'acme', '--service', 'callbot'], { cwd: ws.root, env: ecpEnv(ws, { DOCKER_REGISTRY: closed }), timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Registry ${closed} cannot be reached`);
    expect(result.stderr).toContain(`image ${closed}/ecp-ai/callbot:v1.2.0-2222222`);
    expect(result.stderr).toContain('nothing was written');
    expect(snapshot(ws.manifests)).toEqual(before);
    expect(auditEvents(ws.data)).toEqual([]);
  });

  it('several tenants or --all: one operation, a tenant without --service skipped, one audit event per tenant', async () => {
    const many = manifestWorkspace(['acme', 'globex']);
    seedStore(many.data, READY);
    const runMany = (args: string[]) => runEcpInProcess(args, { cwd: many.root, env: ecpEnv(many) });
    const advisor = await runMany(['update-manifests', '--all', '--service', 'advisor', '--skip-registry-check']);
    expect(advisor.code).toBe(0);
    expect(advisor.stdout).toContain('acme/advisor: v0.9.0-ccccccc → v1.0.0-5555555');
    expect(advisor.stdout).not.toContain('globex/');
    const callbot = await runMany(['update-manifests', 'acme', 'globex', '--service', 'callbot', '--skip-registry-check', '--json']);
    expect(callbot.code).toBe(0);
    const json = JSON.parse(callbot.stdout);
    expect(json.tenants.map((t: { tenant: string; changes: unknown[] }) => [t.tenant, t.changes.length])).toEqual([
      ['acme', 1],
      ['globex', 1],
    ]);
    expect(auditEvents(many.data).map((e) => `${e.action} ${e.target}`)).toEqual(['manifests.update acme', 'manifests.update acme', 'manifests.update globex']);
  });

  it('all-or-nothing across tenants: a broken file in one tenant means no tenant changes', async () => {
    const many = manifestWorkspace(['acme', 'globex']);
    seedStore(many.data, READY);
    appendFileSync(path.join(many.manifests, 'globex/callbot.yaml'), '  : : bad\n');
    const before = snapshot(many.manifests);
    const result = await runEcpInProcess(['update-manifests', '--all', '--skip-registry-check'], { cwd: many.root, env: ecpEnv(many) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/globex\/callbot\.yaml:\d+:\d+ is not valid YAML/);
    expect(snapshot(many.manifests)).toEqual(before);
  });
});
