/**
 * One change at a time per tenant/service, across processes: a lock file under
 * `<dataDir>/locks/` created exclusively (O_EXCL), holding who took it for what; the file
 * backend's form of the Lease of DESIGN §11, with the same rule. The holder renews it (touches
 * the file) while it runs and removes it after; a lock not renewed for ECP_LEASE_SECONDS (its
 * holder died or froze), or held by a process on this host that no longer exists, is taken over.
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceLost, withHold } from '../held-services.js';
import { leaseSeconds, type ServiceHolder, ServiceBusy } from './backend.js';

interface LockFile extends ServiceHolder {
  since: string;
  pid: number;
  host: string;
}

function alive(holder: LockFile, file: string): boolean {
  try {
    if (statSync(file).mtimeMs + leaseSeconds() * 1000 < Date.now()) return false;
  } catch {
    return false;
  }
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockFile;
  } catch {
    return undefined;
  }
}

/** Runs `work` holding `<tenant>/<service>`; throws ServiceBusy when a live holder has it. */
export async function withServiceLock<T>(dataDir: string, tenant: string, service: string, holder: ServiceHolder, work: () => Promise<T>): Promise<T> {
  const dir = path.join(dataDir, 'locks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${tenant}.${service}.lock`);
  const mine: LockFile = { ...holder, since: new Date().toISOString(), pid: process.pid, host: os.hostname() };
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(file);
      // Half-written (its holder is writing now) counts as held; a dead holder's file is removed.
      if (!current || alive(current, file)) throw new ServiceBusy(tenant, service, current ?? { ...mine, action: 'change', actor: 'another process' }, `lock file ${file}`);
      unlinkSync(file);
    }
  }
  const ours = () => {
    const now = readHolder(file);
    return { now, ours: now?.pid === mine.pid && now.since === mine.since };
  };
  let stopped: ServiceLost | undefined;
  const hold = {
    async confirm(before: string) {
      const { now, ours: still } = ours();
      if (still) return;
      throw (stopped ??= new ServiceLost(tenant, service, `lock file ${file}`, now?.actor ?? 'someone who has released it since', now ? new Date(now.since) : new Date(), before));
    },
  };
  const renew = setInterval(
    () => {
      const now = new Date();
      try {
        // A lock taken over (this process was paused past its duration) is the new holder's to renew.
        if (ours().ours) utimesSync(file, now, now);
      } catch {
        /* removed meanwhile: nothing left to renew */
      }
    },
    (leaseSeconds() * 1000) / 3,
  );
  renew.unref();
  try {
    return await withHold(hold, work);
  } catch (error) {
    // The work may have wrapped the refusal (a step error): what stopped it was the lost lock.
    throw stopped ?? error;
  } finally {
    clearInterval(renew);
    if (ours().ours) unlinkSync(file);
  }
}
