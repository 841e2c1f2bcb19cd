/**
 * core/v1 Events as the controllers and the kubelet record them (client-go's EventRecorder):
 * named `<object>.<hex time>`, and a repeat of the same reason and message on the same object
 * counted on the one Event (count, lastTimestamp) instead of a new one. As with the API server's
 * --event-ttl, an Event not repeated for an hour goes, so a long session does not pile them up.
 */
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import { asNumber, asString, timestamp, type JsonObject, type KubeObject } from './json.js';
import { events } from './resources.js';

export interface EventSource {
  component: string;
  host?: string;
}

const TTL_MS = 3_600_000;

export class EventRecorder {
  /** aggregation key → the Event that counts it, in the order they were last recorded */
  private readonly recorded = new Map<string, { namespace: string; name: string; lastMs: number }>();
  private seq = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly clock: Clock,
  ) {}

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const namespace = asString(obj.metadata.namespace) ?? 'default';
    const name = String(obj.metadata.name);
    const key = [obj.metadata.uid, fieldPath, type, reason, message, source.component].join('\u0000');
    const now = this.clock.now();
    const time = timestamp(now);
    this.expire(now);
    const known = this.recorded.get(key);
    const existing = known === undefined ? undefined : this.cluster.store.get(events, namespace, known.name);
    const manager = { manager: source.component };
    if (existing) {
      const count = (asNumber(existing.count) ?? 1) + 1;
      this.cluster.replace(events, namespace, known!.name, { ...existing, count, lastTimestamp: time }, manager);
      this.recorded.delete(key);
      this.recorded.set(key, { ...known!, lastMs: now });
      return;
    }
    const involvedObject: JsonObject = { kind: obj.kind!, namespace, name, uid: obj.metadata.uid!, apiVersion: obj.apiVersion!, resourceVersion: obj.metadata.resourceVersion! };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    // The name's suffix is the time in nanoseconds, in hex; a sequence keeps same-instant events apart.
    const nanos = BigInt(this.clock.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${nanos.toString(16)}`, namespace },
      involvedObject,
      reason,
      message,
      source: { ...source },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    const created = this.cluster.create(events, namespace, event, manager);
    this.recorded.set(key, { namespace, name: String(created.metadata.name), lastMs: now });
  }

  /** Deletes the Events last recorded more than the TTL ago (the map keeps them oldest first). */
  private expire(now: number): void {
    for (const [key, entry] of this.recorded) {
      if (now - entry.lastMs < TTL_MS) return;
      this.recorded.delete(key);
      if (this.cluster.store.get(events, entry.namespace, entry.name)) this.cluster.delete(events, entry.namespace, entry.name, {});
    }
  }
}
