/**
 * The simulated cluster's notion of time. Timestamps, ages and every controller step go through
 * a Clock, so tests can swap the real one for a ManualClock and move time deterministically.
 * (Network timers — watch timeouts, bookmarks — stay on real time: they belong to the wire.)
 */

export interface Clock {
  now(): number;
  /** Runs `fn` after `ms` of this clock's time; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/** A clock that stands still until `advance(ms)`; due callbacks run in order, synchronously. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: number = Date.parse('2025-01-01T00:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const entry: Pending = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** Moves time forward, running every callback that falls due (including ones they schedule). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = next.due;
      next.fn();
    }
    this.current = target;
  }

  /** How many callbacks are waiting (for tests that check the simulator is idle). */
  get scheduled(): number {
    return this.pending.length;
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.due > limit) continue;
      if (!best || p.due < best.due || (p.due === best.due && p.seq < best.seq)) best = p;
    }
    return best;
  }
}
