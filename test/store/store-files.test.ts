/** Issue 19, findings 4, 6, 8–12: the store's file, its lock, and what it refuses. */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newVersion } from '../../source/domain/versions.js';
import { acquireLock } from '../../source/store/lock.js';
import { Store } from '../../source/store/store.js';
import { runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { body, register } from './crash-helpers.js';

const ecp = (dataDir: string, ...args: string[]) => runEcp(['--data-dir', dataDir, ...args]);

describe('a store of unknown shape', () => {
  const shapes: [string, RegExp][] = [
    ['{"versions":"oops","deployments":[]}', /its "versions" is not a list/],
    ['{"schemaVersion":1,"versions":[],"deployments":[],"approvals":[],"extra":1}', /it has keys a store does not have \("extra"\)/],
    ['{"schemaVersion":1,"versions":[null],"deployments":[],"approvals":[]}', /its "versions" item 1 is not a record \(null\)/],
    ['{"schemaVersion":1,"versions":[{"id":"x"}],"deployments":[],"approvals":[]}', /its "versions" item 1 has a bad "serviceName" \(expected string, received undefined\)/],
    ['[]', /it is not a JSON object/],
  ];
  for (const [text, problem] of shapes) {
    it(`is refused in one sentence and left unchanged: ${text.slice(0, 50)}`, async () => {
      const dataDir = tempDir();
      const file = path.join(dataDir, 'store.json');
      writeFileSync(file, text);
      for (const result of [await register(dataDir, 'v1'), await ecp(dataDir, 'versions', 'list', 'callbot')]) {
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(problem);
        expect(result.stderr).toMatch(/^ecp: The store .* cannot be used: .*; it was left unchanged\.\n$/);
      }
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('names line and column of a JSON error whose message has no position (Node 20)', async () => {
    const dataDir = tempDir();
    const text = '{\n "schemaVersion": 1,\n "versions": [tru]\n}\n';
    writeFileSync(path.join(dataDir, 'store.json'), text);
    const result = await ecp(dataDir, 'versions', 'list', 'callbot');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ecp: The store .*store\.json does not parse \(line 3, column 18: Unexpected token '\]'\); it was left unchanged\.\n$/);
  });

  it('says what is wrong when store.json is a folder', async () => {
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, 'store.json'));
    const result = await register(dataDir, 'v1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ecp: The store .*store\.json cannot be read: .*store\.json is a folder, not a file; nothing changed\.\n$/);
  });
});

describe('the store file on disk', () => {
  it('keeps its mode on every write', async () => {
    const dataDir = tempDir();
    expect((await register(dataDir, 'v1')).code).toBe(0);
    const file = path.join(dataDir, 'store.json');
    chmodSync(file, 0o600);
    chmodSync(path.join(dataDir, 'audit.head'), 0o600);
    expect((await register(dataDir, 'v2')).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'audit.head')).mode & 0o777).toBe(0o600);
  });

  it('writes through a symlinked store.json to its target, and the link stays', async () => {
    const dataDir = tempDir();
    const elsewhere = tempDir();
    const target = path.join(elsewhere, 'real-store.json');
    writeFileSync(target, JSON.stringify({ schemaVersion: 1, versions: [], deployments: [], approvals: [] }));
    symlinkSync(target, path.join(dataDir, 'store.json'));
    expect((await register(dataDir, 'v1')).code).toBe(0);
    expect(lstatSync(path.join(dataDir, 'store.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dataDir, 'store.json'))).toBe(target);
    expect(JSON.parse(readFileSync(target, 'utf8')).versions).toHaveLength(1);
  });

  it('serialises writes from one process too: 20 updates at once all land', async () => {
    const store = new Store(tempDir());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update((data, unit) => {
          const v = newVersion(
            { serviceName: 'callbot', imageName: 'callbot', imageTag: `p${i}`, fullImageName: `r/callbot:p${i}`, gitCommit: 'abc1234', gitBranch: 'main' },
            new Date(),
            new Set(data.versions.map((x) => x.id)),
          );
          data.versions.push(v);
          unit.audit({ actor: 'a', action: 'version.register', target: v.id, details: {} });
        }),
      ),
    );
    expect((await store.read()).versions).toHaveLength(20);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 20 });
  });
});

describe('the lock', () => {
  it('gives up behind a live holder naming it: pid, host, command, since when', async () => {
    const dataDir = tempDir();
    const held = await acquireLock(path.join(dataDir, 'store.json'));
    try {
      const result = await runEcp(['--data-dir', dataDir, 'versions', 'register', '--data', body('v1')], { env: { ECP_LOCK_TIMEOUT: '1s' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^ecp: .*store\\.json is still locked by pid ${process.pid} on ${os.hostname()} \\(.+\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z after 1 s of waiting; nothing changed\\.\\n$`),
      );
    } finally {
      held.release();
    }
  });

  it('fails at once on an error waiting cannot fix', async () => {
    // /sys/kernel exists and refuses new entries, as a read-only file system does.
    const result = await runEcp(['--data-dir', '/sys/kernel', 'versions', 'register', '--data', body('v1')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ecp: ecp cannot lock \/sys\/kernel\/store\.json: ecp may not write \/sys\/kernel\/store\.json\.lock; nothing changed\.\n$/);
  });

  it('refuses an ECP_LOCK_TIMEOUT out of range in one sentence', async () => {
    const result = await runEcp(['--data-dir', tempDir(), 'versions', 'list', 'callbot'], { env: { ECP_LOCK_TIMEOUT: '30d' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ecp: ECP_LOCK_TIMEOUT "30d" must be between 1s and 1h.\n');
  });
});

describe('outside input', () => {
  it('refuses control characters in a stored field, changing nothing', async () => {
    const dataDir = tempDir();
    const forged = JSON.stringify({ ...JSON.parse(body('v1')), git_branch: 'main\u001b[31m\nFAKE LINE: scan passed' });
    const result = await ecp(dataDir, 'versions', 'register', '--data', forged);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/field gitBranch holds a control character \(U\+001B\); ecp stores no control characters; nothing changed\.\n$/);
    expect(result.stderr).not.toContain('\u001b');
    expect(existsSync(path.join(dataDir, 'audit.jsonl'))).toBe(false);
  });

  it('escapes control characters it prints from input, and caps a long one', async () => {
    const dataDir = tempDir();
    const shown = await ecp(dataDir, 'versions', 'show', 'x\u001b[2J\u0007y');
    expect(shown.code).toBe(2);
    expect(shown.stderr).toBe('ecp: No version has the id "x\\u001b[2J\\u0007y".\n');
    const long = await ecp(dataDir, 'versions', 'show', 'z'.repeat(50_000));
    expect(long.code).toBe(2);
    expect(long.stderr.length).toBeLessThan(1_200);
    expect(long.stderr).toMatch(/characters left out/);
  });

  it('refuses a monitor interval or a sandbox step Node cannot time, in one sentence', async () => {
    const result = await ecp(tempDir(), 'monitor', '--interval', '2147484');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ecp: --interval 2147484 must be between 1s and 24h.\n');
    const step = await ecp(tempDir(), 'sandbox', '--step-ms', '2147483648');
    expect(step.stderr).toBe('ecp: --step-ms 2147483648 must be between 1ms and 1h.\n');
    expect(step.code).toBe(2);
    const config = path.join(tempDir(), 'ecp.config.yaml');
    writeFileSync(config, 'monitorInterval: 2147484\napprovalTtl: 400d\n');
    const fromFile = await runEcp(['--config', config, 'versions', 'list', 'callbot']);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(/has an invalid key "monitorInterval": expected at most 86400 seconds\.\n$/);
  });
});
