/**
 * One change at a time per tenant/service, across processes: a lock file under
 * `<dataDir>/locks/` created exclusively (O_EXCL), holding who took it for what. A holder whose
 * process died on this host is taken over; the file store's stand-in for the Lease of DESIGN §11.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockHolder {
  action: string;
  actor: string;
  since: string;
  reason?: string;
  pid: number;
  host: string;
}

/** Someone else holds the tenant/service; `holder` says who and for what. */
export class ServiceBusy extends Error {
  constructor(
    readonly target: string,
    readonly holder: LockHolder,
  ) {
    super(`${target} is busy`);
  }
}

function alive(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Runs `work` holding `<tenant>/<service>`; throws ServiceBusy when a live holder has it. */
export async function withServiceLock<T>(dataDir: string, tenant: string, service: string, holder: Omit<LockHolder, 'pid' | 'host' | 'since'>, work: () => Promise<T>): Promise<T> {
  const dir = path.join(dataDir, 'locks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${tenant}.${service}.lock`);
  const mine: LockHolder = { ...holder, since: new Date().toISOString(), pid: process.pid, host: os.hostname() };
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(file);
      // Half-written (its holder is writing now) counts as held; a dead holder's file is removed.
      if (!current || alive(current)) throw new ServiceBusy(`${tenant}/${service}`, current ?? { ...mine, action: 'a change', actor: 'another process' });
      unlinkSync(file);
    }
  }
  try {
    return await work();
  } finally {
    unlinkSync(file);
  }
}
