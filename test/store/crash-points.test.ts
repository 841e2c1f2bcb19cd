/**
 * Issue 19, findings 1–3: a writer killed, paused or failing at each point of a store write leaves
 * the record and its audit event both or neither, and the audit chain intact.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRASH_POINTS } from '../../source/store/crash-points.js';
import { runEcp } from '../helpers/run-ecp.js';
import { tempDir } from '../helpers/temp.js';
import { auditLines, body, register, registerInProcess, startPausedAt, storeVersions, verify } from './crash-helpers.js';

/** Points after which the unit is committed: the next run completes it. */
const COMMITTED = new Set(['journal-written', 'audit-appended', 'head-written', 'store-renamed']);

async function seeded(): Promise<string> {
  const dataDir = tempDir();
  for (const tag of ['v1', 'v2']) expect((await registerInProcess(dataDir, tag)).code).toBe(0);
  return dataDir;
}

const read = (dataDir: string, file: string) => readFileSync(path.join(dataDir, file), 'utf8');

describe('a writer killed at each point of a write', () => {
  for (const point of CRASH_POINTS) {
    it(`leaves the record and its audit event both or neither (SIGKILL at ${point})`, async () => {
      const dataDir = await seeded();
      const storeBefore = read(dataDir, 'store.json');
      const killed = await register(dataDir, 'v3', { ECP_TEST_CRASH_AT: point });
      expect(killed.stderr).toContain(`ecp-test: kill at ${point}`);
      expect(killed.code).toBe(128);

      // The next run (a read) completes or undoes the half-done write, and says so.
      const next = await runEcp(['--data-dir', dataDir, 'versions', 'list', 'callbot', '--json']);
      expect(next.code).toBe(0);
      const listed = JSON.parse(next.stdout).map((v: { imageTag: string }) => v.imageTag);
      const events = auditLines(dataDir).filter((e) => e.action === 'version.register');
      if (COMMITTED.has(point)) {
        expect(next.stderr).toMatch(/^ecp: completed a write that an earlier ecp run \(pid \d+\) left half-done: version\.register callbot-v3-\d+\.\n$/);
        expect(listed).toContain('v3');
        expect(events).toHaveLength(3);
      } else {
        expect(next.stderr).toBe('');
        expect(listed).not.toContain('v3');
        expect(events).toHaveLength(2);
        // Not a byte of the store changed (a store written in place would show the new record here).
        expect(read(dataDir, 'store.json')).toBe(storeBefore);
      }
      const verdict = await verify(dataDir);
      expect(verdict.stdout).toMatch(/chain intact/);
      expect(verdict.code).toBe(0);

      // A retry either registers the version or finds it registered: never a half of it.
      const retry = await registerInProcess(dataDir, 'v3');
      expect(retry.code).toBe(COMMITTED.has(point) ? 2 : 0);
      expect(auditLines(dataDir).filter((e) => e.action === 'version.register')).toHaveLength(3);
      expect(storeVersions(dataDir).filter((v) => v.imageTag === 'v3')).toHaveLength(1);
    });
  }
});

it('completes the very first write (no store yet) when it was killed after its commit point', async () => {
  const dataDir = tempDir();
  expect((await register(dataDir, 'v1', { ECP_TEST_CRASH_AT: 'audit-appended' })).code).toBe(128);
  const next = await runEcp(['--data-dir', dataDir, 'versions', 'list', 'callbot', '--json']);
  expect(next.stderr).toMatch(/^ecp: completed a write that an earlier ecp run/);
  expect(JSON.parse(next.stdout).map((v: { imageTag: string }) => v.imageTag)).toEqual(['v1']);
  expect((await verify(dataDir)).stdout).toMatch(/1 events, chain intact/);
});

describe('a full disk at each point of a write', () => {
  for (const point of ['store-temp-written', 'journal-written', 'audit-appended', 'head-written'] as const) {
    it(`exits 2 saying the disk is full, and nothing changed (ENOSPC at ${point})`, async () => {
      const dataDir = await seeded();
      const files = ['store.json', 'audit.jsonl', 'audit.head'].map((f) => read(dataDir, f));
      const full = await register(dataDir, 'v3', { ECP_TEST_CRASH_AT: `${point}:enospc` });
      expect(full.code).toBe(2);
      expect(full.stderr).toMatch(/the disk holding .* is full; nothing changed\.\n$/);
      expect(full.stderr).not.toMatch(/unexpected error/);
      expect(['store.json', 'audit.jsonl', 'audit.head'].map((f) => read(dataDir, f))).toEqual(files);
      // Nothing half-done is left behind: the retry registers it, once.
      const retry = await register(dataDir, 'v3');
      expect(retry.stderr).toBe('');
      expect(retry.code).toBe(0);
      expect((await verify(dataDir)).code).toBe(0);
    });
  }
});

describe('a writer paused past the lock’s stale time', () => {
  it('stops before its rename, says so in one sentence, and the next writer’s record stays', async () => {
    const dataDir = await seeded();
    const paused = await startPausedAt('store-temp-written', ['--data-dir', dataDir, 'versions', 'register', '--data', body('va')]);
    // B waits for the stale lock (5 s), takes it over and registers.
    const b = await register(dataDir, 'vb');
    expect(b.code).toBe(0);
    paused.child.kill('SIGCONT');
    const a = await paused.result;
    expect(a.code).toBe(2);
    const message = a.stderr.replace(/^ecp-test: .*\n/, '');
    expect(message).toMatch(/^ecp: ecp was paused for more than 5 s while writing the store[^\n]*another ecp took its lock over[^\n]*; nothing changed\.\n$/);
    expect(storeVersions(dataDir).map((v) => v.imageTag)).toEqual(['v1', 'v2', 'vb']);
    expect(auditLines(dataDir).map((e) => e.target.split('-')[1])).toEqual(['v1', 'v2', 'vb']);
    expect((await verify(dataDir)).code).toBe(0);
  }, 30_000);

  for (const point of ['journal-written', 'audit-appended'] as const) {
    it(`leaves its committed write to the next writer, who completes it (paused at ${point})`, async () => {
      const dataDir = await seeded();
      const paused = await startPausedAt(point, ['--data-dir', dataDir, 'versions', 'register', '--data', body('va')]);
      const b = await register(dataDir, 'vb');
      expect(b.code).toBe(0);
      expect(b.stderr).toMatch(/^ecp: completed a write that an earlier ecp run \(pid \d+\) left half-done: version\.register callbot-va-\d+\.\n$/);
      paused.child.kill('SIGCONT');
      const a = await paused.result;
      expect(a.code).toBe(1);
      expect(a.stderr.replace(/^ecp-test: .*\n/, '')).toMatch(/^ecp: ecp was paused for more than 5 s while [^\n]*; the next ecp that takes the lock completes or undoes this write and says so\.\n$/);
      expect(storeVersions(dataDir).map((v) => v.imageTag)).toEqual(['v1', 'v2', 'va', 'vb']);
      expect(auditLines(dataDir).map((e) => e.target.split('-')[1])).toEqual(['v1', 'v2', 'va', 'vb']);
      const verdict = await verify(dataDir);
      expect(verdict.stdout).toMatch(/4 events, chain intact/);
    }, 30_000);
  }
});
