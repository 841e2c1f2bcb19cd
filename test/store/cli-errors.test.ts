/** Issue 19, findings 10 and 13: each of these is one sentence prefixed `ecp:`, exit 2, and the process ends. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { body } from './crash-helpers.js';

const oneSentence = /^ecp: [^\n]+\.\n$/;

describe('clear errors', () => {
  it('a flag given twice, and unknown flags', async () => {
    const twice = await runEcp(['versions', 'list', 'callbot', '--context', 'a', '--context', 'b']);
    expect(twice.stderr).toBe('ecp: The flag --context can only be set once.\n');
    expect(twice.code).toBe(2);
    const unknown = await runEcp(['versions', 'list', 'callbot', '--colour']);
    expect(unknown.stderr).toMatch(/^ecp: Unknown flag --colour; `ecp --help` lists the commands/);
    expect(unknown.stderr).toMatch(oneSentence);
    expect(unknown.code).toBe(2);
  });

  it('odd --data-dir values', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      [path.join(file, 'data'), /a part of the path .*a-file\/data is a file, not a folder/],
      [file, /(a part of the path .*a-file.* is a file, not a folder|a-file already exists and is not a folder)/],
      [path.join(dir, 'x'.repeat(300)), /is too long/],
    ];
    for (const [dataDir, problem] of cases) {
      const result = await runEcp(['--data-dir', dataDir, 'versions', 'register', '--data', body('v1')]);
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).toMatch(oneSentence);
      expect(result.stderr).not.toMatch(/unexpected error|ENOTDIR|EEXIST|ENAMETOOLONG/);
      expect(result.code).toBe(2);
    }
  });

  it('no raw Node warning for a YAML key that is a collection', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'k8s-manifests', 't1'), { recursive: true });
    writeFileSync(path.join(dir, 'k8s-manifests', 't1', 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: t1\ndata:\n  ? [a, b]\n  : x\n');
    const result = await runEcp(['validate', 't1'], { cwd: dir, env: { KUBECONFIG: path.join(dir, 'none'), ECP_CONFIG: '', K8S_MANIFESTS_DIR: '' } });
    expect(result.stderr).not.toMatch(/\(node:\d+\) Warning/);
  });

  it('ecp sandbox with a --kubeconfig it cannot write refuses before listening, and exits', async () => {
    const dir = tempDir();
    for (const [kubeconfig, problem] of [
      ['/dev/null/x', /--kubeconfig \/dev\/null\/x cannot be written: a part of the path \/dev\/null is a file, not a folder\./],
      ['', /--kubeconfig needs a value\./],
      [dir, /is a folder; name a file to write\./],
    ] as const) {
      const result = await runEcp(['sandbox', '--kubeconfig', kubeconfig], { timeoutMs: 10_000 });
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).toMatch(oneSentence);
      expect(result.code).toBe(2);
    }
  });
});
