/**
 * The current time, re-read every `everyMs` (the header's countdown, AGE and WHEN columns). Every
 * user of one period shares one timer, so their updates land in one render, not one each.
 */
import { useEffect, useState } from 'react';

const clocks = new Map<number, { listeners: Set<() => void>; timer?: NodeJS.Timeout }>();

export function useNow(everyMs: number, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    let shared = clocks.get(everyMs);
    if (!shared) clocks.set(everyMs, (shared = { listeners: new Set() }));
    const tick = () => setNow(clock());
    shared.listeners.add(tick);
    const { listeners } = shared;
    shared.timer ??= setInterval(() => {
      for (const listener of listeners) listener();
    }, everyMs);
    return () => {
      listeners.delete(tick);
      if (listeners.size === 0 && shared.timer) {
        clearInterval(shared.timer);
        shared.timer = undefined;
      }
    };
  }, [everyMs, clock]);
  return now;
}
