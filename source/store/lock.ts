/**
 * A cross-process lock around a file, so the console and CLI runs take turns. The lock is a folder
 * `<file>.lock` (mkdir is atomic) holding `owner.json`: a token of its own, and who holds it (pid,
 * host, command, since when) for the sentence a waiter prints when it gives up. The holder
 * refreshes the folder's mtime every second; a lock not refreshed for 5 s belonged to a process
 * that died (or was paused) and is taken over, and so is at once one whose holder on this host no
 * longer exists. A holder checks its token before every step it
 * cannot take back (`assertHeld`), so a writer that was paused past the 5 s and lost its lock stops
 * instead of overwriting the next writer's work.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcpError, fsProblem, StoreError } from '../errors.js';
import { reachPoint } from './crash-points.js';

export const STALE_MS = 5_000;
const REFRESH_MS = 1_000;
/** How long a write waits behind a live holder before it gives up (ECP_LOCK_TIMEOUT overrides). */
export const DEFAULT_LOCK_WAIT_MS = 30_000;

export interface LockOwner {
  token: string;
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** This lock was taken over by another process (this one was paused past STALE_MS). */
export class LockLostError extends EcpError {}

export class HeldLock {
  private lost = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  private ownsFolder(): boolean {
    try {
      return (JSON.parse(fs.readFileSync(`${this.dir}/owner.json`, 'utf8')) as LockOwner).token === this.owner.token;
    } catch {
      return false;
    }
  }

  private refresh(): void {
    if (this.lost || !this.ownsFolder()) {
      this.lost = true;
      return;
    }
    const now = new Date();
    try {
      fs.utimesSync(this.dir, now, now);
    } catch {
      this.lost = true;
    }
  }

  /**
   * Throws LockLostError when another process took the lock over; call before each step that
   * cannot be taken back. `committed`: the write already reached its commit point (the journal),
   * so the next holder completes it; before that, nothing of it was written.
   */
  assertHeld(what: string, committed = false): void {
    if (!this.lost && this.ownsFolder()) return;
    this.lost = true;
    const outcome = committed ? 'the next ecp that takes the lock completes or undoes this write and says so' : 'nothing changed';
    throw new LockLostError(`ecp was paused for more than ${STALE_MS / 1000} s while ${what}, another ecp took its lock over, and it stopped there; ${outcome}.`, committed ? 1 : 2);
  }

  release(): void {
    clearInterval(this.timer);
    if (this.lost || !this.ownsFolder()) return;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(`${dir}/owner.json`, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'a process that has not yet said who it is';
  const command = owner.command.length > 80 ? `${owner.command.slice(0, 77)}...` : owner.command;
  return `pid ${owner.pid} on ${owner.host} (${command}) since ${owner.since}`;
}

function tryCreate(dir: string, owner: LockOwner): boolean {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeFileSync(`${dir}/owner.json`, JSON.stringify(owner));
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return true;
}

/** A holder on this host whose process is gone (killed, crashed) need not be waited for. */
function holderIsGone(owner: LockOwner | undefined): boolean {
  if (!owner || owner.host !== os.hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Moves a stale lock folder aside (one taker wins the rename) and removes it. */
function takeOverStale(dir: string): void {
  let mtime: number;
  try {
    mtime = fs.statSync(dir).mtimeMs;
  } catch {
    return; // released meanwhile
  }
  if (Date.now() - mtime <= STALE_MS && !holderIsGone(readOwner(dir))) return;
  const aside = `${dir}.stale-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(dir, aside);
  } catch {
    return; // another waiter took it over first
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

export async function acquireLock(file: string, waitMs = DEFAULT_LOCK_WAIT_MS): Promise<HeldLock> {
  const dir = `${file}.lock`;
  const token = randomBytes(8).toString('hex');
  const command = process.argv.slice(2).join(' ') || process.argv[1] || 'node';
  const deadline = Date.now() + waitMs;
  let pause = 1;
  while (true) {
    const owner: LockOwner = { token, pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
    let created: boolean;
    try {
      created = tryCreate(dir, owner);
    } catch (error) {
      // A read-only file system, a full disk, no permission: waiting cannot change these.
      throw new StoreError(`ecp cannot lock ${file}: ${fsProblem(error, dir)}; nothing changed.`);
    }
    if (created) {
      reachPoint('lock-taken');
      return new HeldLock(dir, owner);
    }
    takeOverStale(dir);
    if (Date.now() >= deadline) {
      throw new StoreError(`${file} is still locked by ${describeOwner(readOwner(dir))} after ${Math.round(waitMs / 1000)} s of waiting; nothing changed.`);
    }
    await sleep(pause * (0.5 + Math.random()));
    pause = Math.min(pause * 1.3, 25);
  }
}

export async function withLock<T>(file: string, work: (lock: HeldLock) => Promise<T>, waitMs?: number): Promise<T> {
  const lock = await acquireLock(file, waitMs);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}
