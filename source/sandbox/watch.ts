/**
 * A watch response: 200 with headers flushed at once (kubectl and client-node wait for them),
 * then one JSON event per line; optional BOOKMARK events; the stream ends after timeoutSeconds.
 * A resourceVersion older than the kept window gets, as from a real API server, 200 and then one
 * ERROR event carrying the 410 Expired Status. `sendInitialEvents=true` (streaming lists) sends
 * the current objects, then a bookmark annotated `k8s.io/initial-events-end`.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './json.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { ApiError } from './status.js';
import type { EventType, Store } from './store.js';

export interface WatchSpec {
  resource: ResourceType;
  namespace?: string;
  matches(obj: KubeObject): boolean;
  /** undefined: start with ADDED for every current object. */
  fromRv?: number;
  bookmarks: boolean;
  timeoutSeconds?: number;
  /** Send the current objects first and mark their end with a bookmark (sendInitialEvents=true). */
  initialEvents?: boolean;
  /** Renders an event object another way (a Table row) instead of the object's JSON. */
  render?: (obj: KubeObject) => string;
}

export interface WatchTiming {
  /** How often a watch that allows bookmarks gets one (real time). */
  bookmarkIntervalMs: number;
}

/** The last event object's JSON text: a change fanned out to many watches is serialized once. */
let lastEvent: { object: KubeObject; text: string } | undefined;
function eventJson(object: KubeObject): string {
  if (lastEvent?.object !== object) lastEvent = { object, text: JSON.stringify(object) };
  return lastEvent.text;
}

/** Starts streaming; returns a function that ends the stream (used when the server stops). */
export function serveWatch(res: ServerResponse, store: Store, spec: WatchSpec, timing: WatchTiming, onEnd: () => void): () => void {
  const pending: string[] = [];
  let started = false;
  const line = (type: EventType, obj: KubeObject) => `{"type":"${type}","object":${spec.render ? spec.render(obj) : eventJson(obj)}}\n`;
  const kind = spec.resource.kind;
  const apiVersion = apiVersionOf(spec.resource);
  const bookmark = (annotations?: Record<string, string>) =>
    `{"type":"BOOKMARK","object":{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":{"resourceVersion":"${store.resourceVersion}"${annotations ? `,"annotations":${JSON.stringify(annotations)}` : ''}}}}\n`;
  let unsubscribe: () => void;
  try {
    unsubscribe = store.watch(
      {
        resource: spec.resource,
        namespace: spec.namespace,
        matches: spec.matches,
        send(type, obj) {
          if (started) res.write(line(type, obj));
          else pending.push(line(type, obj));
        },
      },
      spec.initialEvents ? undefined : spec.fromRv,
    );
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 410) throw error;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.on('close', onEnd);
    res.end(`{"type":"ERROR","object":${JSON.stringify(error.toStatus())}}\n`);
    return () => undefined;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  started = true;
  if (spec.initialEvents) pending.push(bookmark({ 'k8s.io/initial-events-end': 'true' }));
  if (pending.length > 0) res.write(pending.join(''));

  const timers: NodeJS.Timeout[] = [];
  if (spec.bookmarks) timers.push(setInterval(() => res.write(bookmark()), timing.bookmarkIntervalMs));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
    onEnd();
  };
  if (spec.timeoutSeconds !== undefined && spec.timeoutSeconds > 0) timers.push(setTimeout(end, spec.timeoutSeconds * 1000));
  res.on('close', end);
  return end;
}
