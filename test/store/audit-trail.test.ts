/**
 * Issue 19, findings 3 and 7: a crash tail is told apart from an edit and repaired (audited);
 * the head is checked, optionally keyed, and anchored in git deploy tags.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../helpers/manifests.js';
import { runEcpInProcess } from '../helpers/run-ecp.js';
import { git, gitEnv, gitRepo, tempDir } from '../helpers/temp.js';
import { auditLines, registerInProcess as register, verify } from './crash-helpers.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function trail(events: number, env: NodeJS.ProcessEnv = {}): Promise<{ dataDir: string; file: string; head: string }> {
  const dataDir = tempDir();
  for (let i = 1; i <= events; i += 1) expect((await register(dataDir, `v${i}`, env)).code).toBe(0);
  return { dataDir, file: path.join(dataDir, 'audit.jsonl'), head: path.join(dataDir, 'audit.head') };
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

/** A line that follows the chain, as an ecp that died before writing audit.head would leave it. */
function chainedLine(file: string, target: string): string {
  const last = lines(file).at(-1)!;
  return JSON.stringify({ at: new Date().toISOString(), actor: 'x', action: 'version.register', target, details: {}, prev: sha(last) });
}

describe('audit crash tails', () => {
  it('tells lines the head never acknowledged from an edit; repair moves them into an audited event', async () => {
    const { dataDir, file } = await trail(3);
    const extra = chainedLine(file, 'callbot-v4');
    appendFileSync(file, `${extra}\n`);
    const found = await verify(dataDir);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(
      /line 4 follows the chain but .*audit\.head never acknowledged it \(a crash between the two writes, or lines added by hand\); `ecp audit repair` moves it into its own event\.\n$/,
    );

    // A writer refuses to chain after a tail it cannot account for.
    const refused = await register(dataDir, 'v5');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ends in \d+ bytes that no acknowledged event accounts for.*nothing changed\.\n$/);

    const repaired = await runEcpInProcess(['--data-dir', dataDir, 'audit', 'repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/^Removed 1 line \(\d+ bytes\) that .* never acknowledged from the end of .*audit\.jsonl; they are kept/);
    const events = auditLines(dataDir);
    expect(events.map((e) => e.action)).toEqual(['version.register', 'version.register', 'version.register', 'audit.repair']);
    expect(events[3]!.details.bytes).toBe(`${extra}\n`);
    expect((await verify(dataDir)).stdout).toMatch(/4 events, chain intact/);
    expect((await register(dataDir, 'v5')).code).toBe(0);
  });

  it('tells an unfinished last line (a full disk) from an edit, and never glues the next event to it', async () => {
    const { dataDir, file } = await trail(2);
    appendFileSync(file, '{"at":"2026-12-01T00:00:00.000Z","actor":"x","act');
    const found = await verify(dataDir);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/line 3 is an unfinished write of 49 bytes \(a crash or a full disk cut it short\)/);
    const repaired = await runEcpInProcess(['--data-dir', dataDir, 'audit', 'repair']);
    expect(repaired.stdout).toMatch(/^Removed an unfinished line of 49 bytes/);
    expect((await register(dataDir, 'v3')).code).toBe(0);
    const ok = await verify(dataDir);
    expect(ok.stdout).toMatch(/4 events, chain intact/);
  });

  it('refuses to repair an edit in the middle, changing nothing', async () => {
    const { dataDir, file } = await trail(3);
    const edited = lines(file);
    edited[1] = edited[1]!.replace('callbot-v2', 'callbot-v9');
    writeFileSync(file, `${edited.join('\n')}\n`);
    const before = readFileSync(file, 'utf8');
    const refused = await runEcpInProcess(['--data-dir', dataDir, 'audit', 'repair']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/line 3 does not follow the line before it.*not a crash tail.*nothing changed\.\n$/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('fails verify on a garbage or missing audit.head with a non-empty trail, and writers change nothing', async () => {
    const { dataDir, file, head } = await trail(2);
    writeFileSync(head, 'garbage');
    const garbage = await verify(dataDir);
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toMatch(/audit\.head is not an audit head ecp wrote/);
    const trailBefore = readFileSync(file, 'utf8');
    const refused = await register(dataDir, 'v3');
    expect(refused.code).toBe(2);
    expect(readFileSync(head, 'utf8')).toBe('garbage');
    expect(readFileSync(file, 'utf8')).toBe(trailBefore);

    rmSync(head);
    const missing = await verify(dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/audit\.head is missing although .*audit\.jsonl holds events/);
  });
});

/** Rewrites the whole chain after replacing line `index`, and the head to match: a forger's work. */
function forge(file: string, head: string, index: number, edit: (line: string) => string, mac?: string): void {
  const all = lines(file);
  all[index] = edit(all[index]!);
  let prev = all[index - 1] ? sha(all[index - 1]!) : '';
  const out = all.map((line, i) => {
    if (i < index) return line;
    const event = JSON.parse(line);
    const rewritten = JSON.stringify({ ...event, prev });
    prev = sha(rewritten);
    return rewritten;
  });
  const text = `${out.join('\n')}\n`;
  writeFileSync(file, text);
  writeFileSync(head, JSON.stringify({ count: out.length, hash: prev, size: Buffer.byteLength(text), ...(mac ? { mac } : {}) }));
}

describe('audit anchors', () => {
  it('with ECP_AUDIT_KEY, a re-hashed chain whose head was rewritten without the key fails verify', async () => {
    const env = { ECP_AUDIT_KEY: 'k3y-outside-the-data-dir' };
    const { dataDir, file, head } = await trail(3, env);
    expect((await runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify'], { env })).code).toBe(0);
    forge(file, head, 1, (l) => l.replace('callbot-v2', 'callbot-v9'), 'f'.repeat(64));
    // Without the key the forgery is consistent (what the chain alone can and cannot show).
    expect((await verify(dataDir)).code).toBe(0);
    const keyed = await runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify'], { env });
    expect(keyed.code).toBe(1);
    expect(keyed.stdout).toMatch(/line 3 is the end .*audit\.head claims, but its HMAC does not match ECP_AUDIT_KEY/);
    // And a writer refuses to sign over it.
    expect((await register(dataDir, 'v4', env)).stderr).toMatch(/does not carry a valid HMAC for ECP_AUDIT_KEY.*nothing changed\.\n$/);
  });

  it('with ECP_AUDIT_KEY set on a trail written without it, verify says so and the next write signs the head', async () => {
    const env = { ECP_AUDIT_KEY: 'k3y-outside-the-data-dir' };
    const { dataDir } = await trail(2);
    const unsigned = await runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify'], { env });
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/the head carries no HMAC \(written before ECP_AUDIT_KEY was set, or its HMAC was removed\)/);
    expect((await register(dataDir, 'v3', env)).code).toBe(0);
    expect((await runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify'], { env })).stdout).toMatch(/3 events, chain intact/);
  });

  it('verify --against-git checks the chain against the head anchored in each deploy tag', async () => {
    const dir = gitRepo('main');
    cpSync(path.join(fixturesDir, 'acme'), path.join(dir, 'k8s-manifests', 'acme'), { recursive: true });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'manifests');
    const dataDir = tempDir('ecp-data-');
    const env = { ...gitEnv, ECP_DATA_DIR: dataDir, ECP_CONFIG: '', K8S_MANIFESTS_DIR: '' };
    const run = (args: string[]) => runEcpInProcess(args, { cwd: dir, env });
    for (const tag of ['v1', 'v2', 'v3']) expect((await register(dataDir, tag)).code).toBe(0);
    const manifest = path.join(dir, 'k8s-manifests', 'acme', 'callbot.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('v1.0.0-aaaaaaa', 'v1.2.0-2222222'));
    expect((await run(['tag', 'acme'])).code).toBe(0);
    const tagText = git(dir, 'for-each-ref', '--format=%(contents)', 'refs/tags');
    const trailFile = path.join(dataDir, 'audit.jsonl');
    expect(tagText).toContain(`ecp-audit-head: 3 ${sha(lines(trailFile)[2]!)}`);
    const anchored = await run(['audit', 'verify', '--against-git']);
    expect(anchored.stdout).toMatch(/4 events, chain intact, 1 anchor matches/);
    expect(anchored.code).toBe(0);

    // Line 2 forged and the chain and head re-hashed: the chain alone passes, the anchor does not.
    forge(trailFile, path.join(dataDir, 'audit.head'), 1, (l) => l.replace('callbot-v2', 'callbot-v9'));
    expect((await run(['audit', 'verify'])).code).toBe(0);
    const forged = await run(['audit', 'verify', '--against-git']);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/line 3 is not the event git tag deploy\/acme\/\S+ anchors/);

    // The tail and the head cut back to two events: the anchor of three catches it.
    const two = lines(trailFile).slice(0, 2);
    writeFileSync(trailFile, `${two.join('\n')}\n`);
    writeFileSync(path.join(dataDir, 'audit.head'), JSON.stringify({ count: 2, hash: sha(two[1]!), size: Buffer.byteLength(`${two.join('\n')}\n`) }));
    const cut = await run(['audit', 'verify', '--against-git']);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/line 3 is missing: git tag deploy\/acme\/\S+ anchors 3 events, the trail holds 2/);
  });
});
