/**
 * A watch response: 200 with headers flushed at once (kubectl and client-node wait for them),
 * then one JSON event per line; optional BOOKMARK events; the stream ends after timeoutSeconds.
 * A resourceVersion older than the kept window is refused before any header: HTTP 410 Expired.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './json.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { serialize, type EventType, type Store } from './store.js';

export interface WatchSpec {
  resource: ResourceType;
  namespace?: string;
  matches(obj: KubeObject): boolean;
  /** undefined: start with ADDED for every current object. */
  fromRv?: number;
  bookmarks: boolean;
  timeoutSeconds?: number;
  /** Renders an event object another way (a Table row) instead of the object's JSON. */
  render?: (obj: KubeObject) => string;
}

export interface WatchTiming {
  /** How often a watch that allows bookmarks gets one (real time). */
  bookmarkIntervalMs: number;
}

/** Starts streaming; returns a function that ends the stream (used when the server stops). */
export function serveWatch(res: ServerResponse, store: Store, spec: WatchSpec, timing: WatchTiming, onEnd: () => void): () => void {
  const pending: string[] = [];
  let started = false;
  const line = (type: EventType, obj: KubeObject) =>
    `{"type":"${type}","object":${spec.render ? spec.render(obj) : serialize(obj)}}\n`;
  const unsubscribe = store.watch(
    {
      resource: spec.resource,
      namespace: spec.namespace,
      matches: spec.matches,
      send(type, obj) {
        if (started) res.write(line(type, obj));
        else pending.push(line(type, obj));
      },
    },
    spec.fromRv,
  );
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  started = true;
  if (pending.length > 0) res.write(pending.join(''));

  const timers: NodeJS.Timeout[] = [];
  if (spec.bookmarks) {
    const kind = spec.resource.kind;
    const apiVersion = apiVersionOf(spec.resource);
    timers.push(
      setInterval(() => {
        res.write(`{"type":"BOOKMARK","object":{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":{"resourceVersion":"${store.resourceVersion}"}}}\n`);
      }, timing.bookmarkIntervalMs),
    );
  }
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
