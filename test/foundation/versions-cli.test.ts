import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEcp, runEcpInProcess } from '../helpers/run-ecp.js';
import { gitRepo, tempDir } from '../helpers/temp.js';

const spec = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    service_name: 'callbot',
    image_name: 'callbot',
    image_tag: 'v1.2.3-abc123',
    full_image_name: 'localhost:5000/ecp-ai/callbot:v1.2.3-abc123',
    git_commit: 'abc123',
    git_branch: 'main',
    ...overrides,
  });

function storeText(dataDir: string): string {
  try {
    return readFileSync(path.join(dataDir, 'store.json'), 'utf8');
  } catch {
    return '';
  }
}

describe('ecp versions', () => {
  it('registers from --json, --file and standard input, and refuses the same image twice', async () => {
    const dataDir = tempDir();
    const d = ['--data-dir', dataDir];
    const first = await runEcpInProcess([...d, 'versions', 'register', '--json', spec()]);
    expect(first.code).toBe(0);
    const record = JSON.parse(first.stdout);
    expect(record).toMatchObject({ serviceName: 'callbot', imageTag: 'v1.2.3-abc123', status: 'pushed', securityScanResult: 'pending', gitBranch: 'main' });
    expect(record.id).toMatch(/^callbot-v1\.2\.3-abc123-\d{10}$/);

    const file = path.join(dataDir, 'body.json');
    writeFileSync(file, spec({ image_tag: 'v2', full_image_name: 'localhost:5000/ecp-ai/callbot:v2' }));
    const fromFile = await runEcpInProcess([...d, 'versions', 'register', '--file', file]);
    expect(fromFile.stdout.trim()).toMatch(/^callbot-v2-\d{10}$/);
    const fromStdin = await runEcpInProcess([...d, 'versions', 'register', '--file', '-'], {
      stdin: spec({ imageTag: 'v3', fullImageName: 'localhost:5000/ecp-ai/callbot:v3', image_tag: undefined, full_image_name: undefined }),
    });
    expect(fromStdin.code).toBe(0);

    const before = storeText(dataDir);
    const duplicate = await runEcpInProcess([...d, 'versions', 'register', '--file', file]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toBe('ecp: Image localhost:5000/ecp-ai/callbot:v2 is already registered.\n');
    expect(storeText(dataDir)).toBe(before);
  });

  it('--data takes the body and prints the id; --json only selects JSON output; --json BODY still works, with a note (issue 14, finding 8)', async () => {
    const dataDir = tempDir();
    const d = ['--data-dir', dataDir];
    const plain = await runEcpInProcess([...d, 'versions', 'register', '--data', spec()]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^callbot-v1\.2\.3-abc123-\d{10}\n$/);
    expect(plain.stderr).toBe('');

    const asJson = await runEcpInProcess([...d, 'versions', 'register', '--data', spec({ image_tag: 'v2', full_image_name: 'localhost:5000/ecp-ai/callbot:v2' }), '--json']);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ imageTag: 'v2', status: 'pushed' });

    const legacy = await runEcpInProcess([...d, 'versions', 'register', '--json', spec({ image_tag: 'v3', full_image_name: 'localhost:5000/ecp-ai/callbot:v3' })]);
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ imageTag: 'v3' });
    expect(legacy.stderr).toBe('ecp: --json BODY is deprecated: pass the body with --data BODY (--json alone selects JSON output).\n');

    const both = await runEcpInProcess([...d, 'versions', 'register', '--data', spec(), '--file', 'body.json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/Give the version body with one of --data, --file: not --data and --file\./);
  });

  it('refuses every invalid body with one sentence, exit 2 and no change', async () => {
    const dataDir = tempDir();
    const cases: [string, RegExp][] = [
      [spec({ service_name: 'Call_Bot' }), /Service name "Call_Bot" is not a valid DNS-1123 label/],
      [spec({ image_tag: '-bad', full_image_name: 'localhost:5000/ecp-ai/callbot:-bad' }), /Image tag "-bad" is not a valid Docker tag/],
      [spec({ git_commit: undefined }), /missing the field "git_commit"/],
      [spec({ extra: 1 }), /unknown field "extra"/],
      [spec({ full_image_name: 'localhost:5000/ecp-ai/callbot:other' }), /does not end in the image tag/],
      ['{"service_name": "callbot",', /is not valid JSON/],
      ['[]', /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const result = await runEcpInProcess(['--data-dir', dataDir, 'versions', 'register', '--data', body]);
      expect(result.code, body).toBe(2);
      expect(result.stderr.trim().split('\n'), body).toHaveLength(1);
      expect(result.stderr, body).toMatch(message);
    }
    expect(storeText(dataDir)).toBe('');
  });

  it('lists newest first with a default limit of 10, and shows and updates one version', async () => {
    const dataDir = tempDir();
    const d = ['--data-dir', dataDir];
    for (let i = 1; i <= 12; i += 1) {
      await runEcpInProcess([...d, 'versions', 'register', '--json', spec({ image_tag: `t${i}`, full_image_name: `localhost:5000/ecp-ai/callbot:t${i}` })]);
    }
    const listed = JSON.parse((await runEcpInProcess([...d, 'versions', 'list', 'callbot', '--json'])).stdout);
    expect(listed.map((v: { imageTag: string }) => v.imageTag)).toEqual(['t12', 't11', 't10', 't9', 't8', 't7', 't6', 't5', 't4', 't3']);
    const two = await runEcpInProcess([...d, 'versions', 'list', 'callbot', '--limit', '2']);
    expect(two.stdout.split('\n')[0]).toMatch(/^ID\s+TAG\s+STATUS\s+SCAN\s+VULNS\s+BRANCH\s+COMMIT\s+CREATED$/);
    expect(two.stdout.trim().split('\n')).toHaveLength(3);
    expect((await runEcpInProcess([...d, 'versions', 'list', 'nobody'])).stdout).toBe('No versions of nobody are registered.\n');
    expect((await runEcpInProcess([...d, 'versions', 'list', '../x'])).code).toBe(2);

    const id = listed[0].id;
    const updated = await runEcpInProcess([...d, 'versions', 'status', id, '--status', 'ready', '--scan', 'passed', '--vulns', '0', '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ id, status: 'ready', securityScanResult: 'passed' });
    const shown = await runEcpInProcess([...d, 'versions', 'show', id]);
    expect(shown.stdout).toMatch(/status:\s+ready/);
    const audit = readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ action: 'version.status', target: id, details: { to: { status: 'ready', securityScanResult: 'passed' } } });

    const before = storeText(dataDir);
    for (const [args, message] of [
      [['versions', 'status', 'nope', '--status', 'ready'], /No version has the id "nope"/],
      [['versions', 'status', id, '--status', 'shiny'], /Status "shiny" is not one of/],
      [['versions', 'status', id, '--scan', 'maybe'], /Scan result "maybe" is not one of/],
      [['versions', 'status', id], /Nothing to change/],
      [['versions', 'status', id, '--vulns', '-3'], /--vulns must be a whole number/],
      [['versions', 'show', 'nope'], /No version has the id "nope"/],
    ] as const) {
      const result = await runEcpInProcess([...d, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(storeText(dataDir)).toBe(before);
  });
});

describe('configuration', () => {
  it('names the key and the file of a bad config, and honours env over file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'ecp.config.yaml');
    writeFileSync(file, 'registry: r.example:5000\nhistory:\n  keepPerServce: 3\n');
    const unknown = await runEcpInProcess(['versions', 'list', 'callbot'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`ecp: Config file ${file} has an invalid unknown key "history.keepPerServce".\n`);
    // YAML that does not parse: where, in one sentence (the parser's line ends in a colon before its excerpt).
    writeFileSync(file, 'registry:\n  url: [unclosed\nfoo: bar\n');
    expect((await runEcpInProcess(['versions', 'list', 'callbot'], { cwd: dir })).stderr).toMatch(new RegExp(`^ecp: Config file ${file} is not valid YAML: .* at line 3, column 1\\.\n$`));
    writeFileSync(file, 'monitorInterval: soon\n');
    expect((await runEcpInProcess(['versions', 'list', 'callbot'], { cwd: dir })).stderr).toMatch(/key "monitorInterval": .*number/);
    const repo = gitRepo('main');
    writeFileSync(path.join(repo, 'ecp.config.yaml'), 'registry: r.example:5000\nimagePrefix: team\n');
    const fromFile = await runEcpInProcess(['image-tag', '--service', 'callbot'], { cwd: repo });
    expect(fromFile.stdout).toMatch(/^r\.example:5000\/team\/callbot:stable-\w{7}-dirty\n$/);
    const fromEnv = await runEcpInProcess(['image-tag', '--service', 'callbot'], { cwd: repo, env: { DOCKER_REGISTRY: 'env.example:443' } });
    expect(fromEnv.stdout).toMatch(/^env\.example:443\/team\/callbot:/);
    const missing = await runEcpInProcess(['--config', path.join(dir, 'nope.yaml'), 'versions', 'list', 'callbot']);
    expect(missing.stderr).toMatch(/nope\.yaml does not exist/);
  });

  it('prints a verbose log on stderr with DEBUG=1 and keeps stdout parseable', async () => {
    const dataDir = tempDir();
    // The binary itself: the debug log goes to the process's stderr.
    const result = await runEcp(['--data-dir', dataDir, 'versions', 'list', 'callbot', '--json'], { env: { DEBUG: '1' } });
    expect(result.stderr).toMatch(/\[debug .* cli\] command "versions list"/);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('refuses unknown commands and flags', async () => {
    const unknown = await runEcpInProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    expect((await runEcpInProcess(['versions', 'list', 'callbot', '--frob'])).code).toBe(2);
  });
});
