/** All-or-nothing writes: a failure part-way leaves every file as it was. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileOps, writeAllOrNothing, type FileOps } from '../../source/adapters/atomic-files.js';
import { createCore } from '../../source/core.js';
import { loadConfig } from '../../source/config.js';
import { updateManifests } from '../../source/pipeline/update-manifests.js';
import { ecpEnv, manifestWorkspace, seedStore, snapshot, version } from '../helpers/manifests.js';
import { tempDir } from '../helpers/temp.js';

function failingRename(failOn: number): FileOps & { renames: number } {
  const ops = {
    ...nodeFileOps,
    renames: 0,
    async rename(from: string, to: string) {
      ops.renames += 1;
      if (ops.renames === failOn) throw Object.assign(new Error('EIO: simulated disk error'), { code: 'EIO' });
      return nodeFileOps.rename(from, to);
    },
  };
  return ops;
}

describe('writeAllOrNothing', () => {
  it('restores the files already replaced when a later rename fails, and leaves no temp file', async () => {
    const dir = tempDir();
    const files = ['a.yaml', 'b.yaml', 'c.yaml'].map((n) => path.join(dir, n));
    for (const [i, f] of files.entries()) writeFileSync(f, `old ${i}\n`);
    const ops = failingRename(3);
    await expect(
      writeAllOrNothing(
        files.map((f, i) => ({ path: f, before: `old ${i}\n`, after: `new ${i}\n` })),
        ops,
      ),
    ).rejects.toThrow(/simulated disk error/);
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(['old 0\n', 'old 1\n', 'old 2\n']);
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });

  it('writes many files at once, and a failure among them still leaves every file as it was, with no temp file', async () => {
    const dir = tempDir();
    const files = Array.from({ length: 100 }, (_, i) => path.join(dir, `${i}.yaml`));
    for (const [i, f] of files.entries()) writeFileSync(f, `old ${i}\n`);
    const changes = files.map((f, i) => ({ path: f, before: `old ${i}\n`, after: `new ${i}\n` }));
    let writes = 0;
    const failingWrite: FileOps = {
      ...nodeFileOps,
      async writeFile(file, text, mode) {
        writes += 1;
        if (writes === 60) throw Object.assign(new Error('ENOSPC: simulated full disk'), { code: 'ENOSPC' });
        return nodeFileOps.writeFile(file, text, mode);
      },
    };
    await expect(writeAllOrNothing(changes, failingWrite)).rejects.toThrow(/simulated full disk/);
    await expect(writeAllOrNothing(changes, failingRename(60))).rejects.toThrow(/simulated disk error/);
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(changes.map((c) => c.before));
    expect(readdirSync(dir).length).toBe(100);
    await writeAllOrNothing(changes);
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(changes.map((c) => c.after));
  });

  it('writes nothing when a file changed on disk since it was read', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, 'a\n');
    writeFileSync(b, 'edited by someone else\n');
    await expect(
      writeAllOrNothing([
        { path: a, before: 'a\n', after: 'A\n' },
        { path: b, before: 'b\n', after: 'B\n' },
      ]),
    ).rejects.toThrow(/changed on disk while ecp was preparing the update; nothing was written/);
    expect(readFileSync(a, 'utf8')).toBe('a\n');
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']); // no temp file left
  });

  it('update-manifests over two files: the second write fails, so neither file changes', async () => {
    const ws = manifestWorkspace(['acme']);
    seedStore(ws.data, [version('callbot', 'v2.0.0-1234567'), version('advisor', 'v2.0.0-1234567')]);
    const config = loadConfig({ cwd: ws.root, env: ecpEnv(ws) });
    const before = snapshot(ws.manifests);
    await expect(updateManifests(createCore(config), { tenant: 'acme', skipRegistryCheck: true, fileOps: failingRename(2) })).rejects.toThrow(
      /^Writing the manifests of tenant acme failed \(EIO: simulated disk error\); every file was left as it was\.$/,
    );
    expect(snapshot(ws.manifests)).toEqual(before);
  });
});
