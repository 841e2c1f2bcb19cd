/**
 * One change at a time per tenant/service, across machines: a coordination.k8s.io/v1 Lease named
 * `<tenant>-<service>` in the store's namespace, created if absent (the create is the claim),
 * renewed while the change runs and deleted after. A Lease whose renewTime is older than its
 * leaseDurationSeconds belongs to a holder that died (or froze): it is taken over with a
 * compare-and-swap on its resourceVersion, so two takers cannot both win. Nothing sticks the way
 * Helm's pending-upgrade does.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Cluster } from '../../adapters/kube.js';
import { ServiceLost, withHold } from '../../held-services.js';
import { leaseSeconds, type ServiceHolder, ServiceBusy } from '../backend.js';
import { Conflict, MANAGED_BY, SERVICE_LABEL, StoreObjects, TENANT_LABEL, WITH_DEADLINE } from './objects.js';

const ANNOTATION = { action: 'ecp.dev/action', actor: 'ecp.dev/actor', reason: 'ecp.dev/reason', since: 'ecp.dev/since' } as const;

const asDate = (value: Date | string | undefined) => (value === undefined ? undefined : value instanceof Date ? value : new Date(value));

function expired(lease: V1Lease, now: number): boolean {
  const renewed = asDate(lease.spec?.renewTime ?? lease.spec?.acquireTime);
  const seconds = lease.spec?.leaseDurationSeconds ?? 0;
  return !lease.spec?.holderIdentity || !renewed || renewed.getTime() + seconds * 1000 < now;
}

function holderOf(lease: V1Lease | undefined): ServiceHolder & { since: string } {
  const a = lease?.metadata?.annotations ?? {};
  return { action: a[ANNOTATION.action] ?? 'change', actor: a[ANNOTATION.actor] ?? lease?.spec?.holderIdentity ?? 'another operator', reason: a[ANNOTATION.reason], since: a[ANNOTATION.since] ?? '' };
}

export async function holdLease<T>(cluster: Cluster, namespace: string, tenant: string, service: string, holder: ServiceHolder, work: () => Promise<T>): Promise<T> {
  const api = cluster.kc.makeApiClient(CoordinationV1Api);
  const calls = new StoreObjects(cluster, namespace);
  const name = `${tenant}-${service}`;
  const seconds = leaseSeconds();
  const identity = `${holder.actor} ${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const since = new Date().toISOString();
  const body = (resourceVersion?: string): V1Lease => ({
    metadata: {
      name,
      resourceVersion,
      labels: { ...MANAGED_BY, [TENANT_LABEL]: tenant, [SERVICE_LABEL]: service },
      annotations: { [ANNOTATION.action]: holder.action, [ANNOTATION.actor]: holder.actor, [ANNOTATION.since]: since, ...(holder.reason ? { [ANNOTATION.reason]: holder.reason.slice(0, 500) } : {}) },
    },
    spec: { holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: new V1MicroTime(since), renewTime: new V1MicroTime() },
  });
  const read = () => calls.call('get', 'leases.coordination.k8s.io', `read of lease ${name}`, () => api.readNamespacedLease({ name, namespace }, WITH_DEADLINE));
  const replace = (resourceVersion: string) =>
    calls.call('update', 'leases.coordination.k8s.io', `update of lease ${name}`, () => api.replaceNamespacedLease({ name, namespace, body: body(resourceVersion) }, WITH_DEADLINE));

  let version: string | undefined;
  for (;;) {
    try {
      const created = await calls.call('create', 'leases.coordination.k8s.io', `create of lease ${name}`, () => api.createNamespacedLease({ namespace, body: body() }, WITH_DEADLINE));
      if (!created) throw calls.namespaceMissing();
      version = created.metadata?.resourceVersion;
      break;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
    }
    const current = await read();
    if (!current) continue; // released meanwhile: claim it again
    // A create repeated after a lost answer meets our own Lease.
    if (current.spec?.holderIdentity === identity) {
      version = current.metadata?.resourceVersion;
      break;
    }
    if (!expired(current, Date.now())) throw new ServiceBusy(tenant, service, holderOf(current), `lease ${name}`);
    try {
      version = (await replace(current.metadata!.resourceVersion!))?.metadata?.resourceVersion;
      if (version) break;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      throw new ServiceBusy(tenant, service, holderOf(await read()), `lease ${name}`);
    }
  }

  // Renewed at a third of its duration. A renewal that finds another holder (or none: the Lease
  // was deleted), or none that succeeded for a whole duration, means it is no longer ours.
  let lastRenewed = Date.now();
  let lost: { to: string; at: Date } | undefined;
  const renew = async () => {
    if (lost || !version) return;
    const sent = Date.now();
    try {
      version = (await replace(version))?.metadata?.resourceVersion;
      if (version) lastRenewed = sent;
      else lost = { to: 'someone who has released it since', at: new Date() };
    } catch (error) {
      if (error instanceof Conflict) {
        const current = await read().catch(() => undefined);
        if (current?.spec?.holderIdentity === identity) version = current.metadata?.resourceVersion;
        else if (!current) lost = { to: 'someone who has released it since', at: new Date() };
        else lost = { to: holderOf(current).actor, at: asDate(current.spec?.acquireTime) ?? new Date() };
      } else if (Date.now() > lastRenewed + seconds * 1000) {
        lost = { to: 'nobody yet (it could not be renewed within its duration)', at: new Date(lastRenewed + seconds * 1000) };
      }
    }
  };
  let renewing: Promise<void> = Promise.resolve();
  const renewNow = () => (renewing = renewing.then(renew));
  let stopped: ServiceLost | undefined;
  const hold = {
    async confirm(before: string) {
      // Overdue (this process was paused, or renewals kept failing): renew before the write, not after.
      if (!lost && Date.now() - lastRenewed > (seconds * 1000) / 2) await renewNow();
      if (lost) throw (stopped ??= new ServiceLost(tenant, service, `lease ${name}`, lost.to, lost.at, before));
    },
  };
  const timer = setInterval(renewNow, (seconds * 1000) / 3);
  timer.unref();
  try {
    return await withHold(hold, work);
  } catch (error) {
    // The work may have wrapped the refusal (a step error): what stopped it was the lost Lease.
    throw stopped ?? error;
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost && version) {
      const last = version;
      await calls
        .call('delete', 'leases.coordination.k8s.io', `release of lease ${name}`, () =>
          api.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion: last } } }, WITH_DEADLINE),
        )
        .catch(() => undefined);
    }
  }
}
