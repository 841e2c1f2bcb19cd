/** Issue 19, findings 5, 6 and 14: manifest files' bytes, modes and links, and sizes no API server takes. */
import { chmodSync, lstatSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecpEnv, manifestWorkspace, seedStore, version } from '../helpers/manifests.js';
import { runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

function workspace() {
  const ws = manifestWorkspace(['acme']);
  seedStore(ws.data, [version('callbot', 'v1.2.0-2222222'), version('advisor', 'v1.0.0-5555555')]);
  return ws;
}
type Workspace = ReturnType<typeof workspace>;
const run = (ws: Workspace, args: string[]) => runEcp(args, { cwd: ws.root, env: ecpEnv(ws) });
const update = (ws: Workspace) => run(ws, ['update-manifests', 'acme', '--service', 'callbot', '--skip-registry-check']);

describe('manifest bytes', () => {
  it('refuses a file that is not UTF-8, naming its line, and changes not a byte', async () => {
    const ws = workspace();
    const file = path.join(ws.manifests, 'acme', 'callbot.yaml');
    const text = readFileSync(file, 'utf8').replace('  # Keep the greeting short: it is read aloud.', '  # caf\u0000');
    const bytes = Buffer.from(text, 'utf8');
    const latin1 = Buffer.concat([bytes.subarray(0, bytes.indexOf(0)), Buffer.from([0xe9]), bytes.subarray(bytes.indexOf(0) + 1)]);
    writeFileSync(file, latin1);
    const line = text.split('\n').findIndex((l) => l.includes('caf')) + 1;

    const updated = await update(ws);
    expect(updated.code).toBe(2);
    expect(updated.stderr).toContain(`callbot.yaml:${line}:`);
    expect(updated.stderr).toMatch(/this line is not UTF-8 text; ecp edits only UTF-8 files/);
    expect(readFileSync(file).equals(latin1)).toBe(true);

    const validated = await run(ws, ['validate', 'acme']);
    expect(validated.code).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(new RegExp(`callbot\\.yaml:${line}\\b.*not UTF-8`));
  });

  it('writes through a symlinked manifest to its target and keeps its mode', async () => {
    const ws = workspace();
    const link = path.join(ws.manifests, 'acme', 'callbot.yaml');
    const target = path.join(tempDir(), 'callbot.yaml');
    renameSync(link, target);
    symlinkSync(target, link);
    chmodSync(target, 0o600);
    const updated = await update(ws);
    expect(updated.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain('callbot:v1.2.0-2222222');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });
});

describe('manifests larger than an API server accepts', () => {
  const configMap = (name: string, bytes: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: acme\ndata:\n  blob: "${'x'.repeat(bytes)}"\n`;

  it('refuses a file over 3 MiB up front, with the reason', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.manifests, 'acme', 'big.yaml'), [1, 2, 3].map((i) => configMap(`big-${i}`, 1_100_000)).join('---\n'));
    const result = await run(ws, ['validate', 'acme']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/big\.yaml:1\b.*the file is 3\.1 MiB, more than the 3\.0 MiB a Kubernetes API server accepts in one request/);
  });

  it('refuses one object over 1.5 MiB, naming the line it starts on', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.manifests, 'acme', 'big.yaml'), `${configMap('small', 10)}---\n${configMap('large', 1_700_000)}`);
    const result = await run(ws, ['validate', 'acme']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/big\.yaml:9\b.*the object starting here is 1\.6 MiB, more than the 1\.5 MiB etcd stores for one object/);
  });
});
