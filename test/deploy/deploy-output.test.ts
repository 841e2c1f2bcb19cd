/**
 * What `ecp deploy` and `ecp rollback` print: each plans every change before writing any (a dry
 * run), then writes; the plan's lines (reading the tenant, the registry check) are said once,
 * not again by the write (an operator read "[load]" and "[registry-check]" twice).
 */
import { afterEach, expect, it } from 'vitest';
import { scenario, type Scenario } from '../helpers/scenario.js';

const open: Scenario[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

const linesOf = (output: string, step: string) => output.split('\n').filter((l) => l.startsWith(`[${step}]`));

it('deploy and rollback say the plan once and the write once', async () => {
  const s = await scenario(undefined, 'requireApproval: []\n');
  open.push(s);
  await s.release('callbot:v2');
  const deployed = await s.ecp(['deploy', 'test-download', '--service', 'callbot', '--no-build', '--skip-registry-check', '--timeout', '60s']);
  expect(deployed.code, deployed.stderr).toBe(0);
  const out = deployed.stdout + deployed.stderr;
  expect(linesOf(out, 'load')).toHaveLength(1);
  expect(linesOf(out, 'registry-check')).toEqual([expect.stringContaining('registry check skipped')]);
  expect(linesOf(out, 'write').length).toBeGreaterThan(0);

  const back = await s.ecp(['rollback', 'test-download', 'callbot', '--reason', 'v2 misbehaves', '--skip-registry-check', '--timeout', '60s']);
  expect(back.code, back.stderr).toBe(0);
  const said = back.stdout + back.stderr;
  expect(linesOf(said, 'load')).toHaveLength(1);
  expect(linesOf(said, 'registry-check')).toHaveLength(1);
  expect(linesOf(said, 'write').length).toBeGreaterThan(0);
});
