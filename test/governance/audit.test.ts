import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEcpInProcess } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';

const body = (tag: string) =>
  JSON.stringify({ service_name: 'callbot', image_name: 'callbot', image_tag: tag, full_image_name: `localhost:5000/ecp-ai/callbot:${tag}`, git_commit: 'abc1234', git_branch: 'main' });

async function trailWith(events: number): Promise<{ dataDir: string; file: string; lines: string[] }> {
  const dataDir = tempDir();
  for (let i = 0; i < events; i += 1) {
    expect((await runEcpInProcess(['--data-dir', dataDir, 'versions', 'register', '--data', body(`v${i}`)])).code).toBe(0);
  }
  const file = path.join(dataDir, 'audit.jsonl');
  return { dataDir, file, lines: readFileSync(file, 'utf8').trim().split('\n') };
}

const verify = (dataDir: string) => runEcpInProcess(['--data-dir', dataDir, 'audit', 'verify']);

describe('audit trail', () => {
  it('lists events and verifies an intact chain', async () => {
    const { dataDir, lines } = await trailWith(4);
    expect(lines).toHaveLength(4);
    const ok = await verify(dataDir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/4 events, chain intact/);
    const listed = JSON.parse((await runEcpInProcess(['--data-dir', dataDir, 'audit', '--limit', '2', '--json'])).stdout);
    expect(listed.map((e: { action: string; target: string }) => e.action)).toEqual(['version.register', 'version.register']);
    expect(listed[1].target).toMatch(/^callbot-v3-/);
  });

  it('detects an edited line, naming it', async () => {
    const { dataDir, file, lines } = await trailWith(4);
    lines[1] = lines[1]!.replace('"version.register"', '"version.status"');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await verify(dataDir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/line 3 does not follow the line before it/);
  });

  it('detects a removed line, in the middle and at the end', async () => {
    const { dataDir, file, lines } = await trailWith(4);
    writeFileSync(file, `${[lines[0], lines[2], lines[3]].join('\n')}\n`);
    expect((await verify(dataDir)).stdout).toMatch(/line 2 does not follow/);
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    const last = await verify(dataDir);
    expect(last.code).toBe(1);
    expect(last.stdout).toMatch(/line 4 is missing: the trail should hold 4 events/);
  });

  it('detects reordered lines and an edit of the last line', async () => {
    const { dataDir, file, lines } = await trailWith(4);
    writeFileSync(file, `${[lines[0], lines[2], lines[1], lines[3]].join('\n')}\n`);
    expect((await verify(dataDir)).stdout).toMatch(/line 2 does not follow/);
    writeFileSync(file, `${[...lines.slice(0, 3), lines[3]!.replace('callbot', 'chatbot')].join('\n')}\n`);
    const edited = await verify(dataDir);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/line 4 was edited/);
  });

  it('never writes secrets into the trail', async () => {
    const dataDir = tempDir();
    const { AuditLog } = await import('../../source/store/audit.js');
    await new AuditLog(dataDir).append({ actor: 'a', action: 'build', target: 'callbot', details: { registryPassword: 'hunter2', auth: { token: 'abc' }, image: 'x' } });
    const text = readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('"abc"');
    expect(text).toContain('"image":"x"');
  });
});
