/**
 * The per tenant/service lock behind a rollback through `ecp serve` (issue 17): held while the
 * work runs, released when it ends or throws, refused to a second taker naming the holder, and
 * taken over from a holder whose process died.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceBusy } from '../../source/store/backend.js';
import { withServiceLock } from '../../source/store/service-lock.js';
import { tempDir } from '../helpers/temp.js';

const holder = { action: 'rollback', actor: 'ci@example.com', reason: 'slow' };

describe('the service lock (issue 17)', () => {
  it('refuses a second taker while held, naming the holder, and frees the service when the work ends or throws', async () => {
    const dir = tempDir();
    let inner: unknown;
    await withServiceLock(dir, 'test-download', 'callbot', holder, async () => {
      inner = await withServiceLock(dir, 'test-download', 'callbot', { action: 'rollback', actor: 'other@example.com' }, async () => 'ran').catch((e: unknown) => e);
      // Another service of the same tenant is free.
      expect(await withServiceLock(dir, 'test-download', 'chatbot', holder, async () => 'ran')).toBe('ran');
    });
    expect(inner).toBeInstanceOf(ServiceBusy);
    expect((inner as ServiceBusy).holder).toMatchObject({ ...holder, pid: process.pid, host: os.hostname() });
    await expect(withServiceLock(dir, 'test-download', 'callbot', holder, async () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    expect(await withServiceLock(dir, 'test-download', 'callbot', holder, async () => 'ran')).toBe('ran');
    expect(existsSync(path.join(dir, 'locks', 'test-download.callbot.lock'))).toBe(false);
  });

  it('takes over from a holder whose process died on this host', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(path.join(dir, 'locks'));
    writeFileSync(path.join(dir, 'locks', 'test-download.callbot.lock'), JSON.stringify({ ...holder, since: new Date().toISOString(), pid: Number(dead), host: os.hostname() }));
    expect(await withServiceLock(dir, 'test-download', 'callbot', holder, async () => 'ran')).toBe('ran');
  });

  it('treats a holder on another host as alive while it renews, and takes it over once it stopped renewing for the lease time (issue 16)', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'locks'));
    const file = path.join(dir, 'locks', 'test-download.callbot.lock');
    writeFileSync(file, JSON.stringify({ ...holder, since: new Date().toISOString(), pid: 1, host: 'laptop-of-someone-else' }));
    await expect(withServiceLock(dir, 'test-download', 'callbot', holder, async () => 'ran')).rejects.toBeInstanceOf(ServiceBusy);
    const stale = new Date(Date.now() - 16_000);
    utimesSync(file, stale, stale);
    expect(await withServiceLock(dir, 'test-download', 'callbot', holder, async () => 'ran')).toBe('ran');
  });
});
