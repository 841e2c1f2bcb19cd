/**
 * The head object as the API server last said it was, kept by a watch on the head alone (one
 * small object): every unit the team store commits swaps the head, so
 * - the console and the monitor learn of another operator's change within a second (subscribe);
 * - a writer that changes the store again and again (ecp serve, a batch, a CI runner's loop)
 *   prepares its next change on the head it knows, with no read before the swap, and after a
 *   lost swap waits for the winner's head to arrive instead of reading it (KubeStore.snapshot).
 *   The compare-and-swap still decides: a head the watch has not yet brought only costs a lost
 *   swap. The watch runs while someone subscribes or for IDLE_MS after the last change.
 * A watch the server ends (a restart, a timeout) is opened again after a second, with one change
 * reported for what may have been missed meanwhile; until it is open again, nothing is known.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KubeHttp } from '../../adapters/kube-http.js';
import { HEAD_KIND } from './names.js';
import { KIND_LABEL, type StoredObject, toStored } from './objects.js';

const REWATCH_MS = 1_000;
/** A writer's watch stays open this long after its last change. */
const IDLE_MS = 10_000;

export class HeadWatch {
  /** The head as the watch last delivered it; undefined while the watch is not open. */
  latest?: StoredObject;
  private stop?: () => void;
  private retry?: NodeJS.Timeout;
  private idle?: NodeJS.Timeout;
  private readonly listeners = new Set<() => void>();
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly http: KubeHttp,
    private readonly path: string,
  ) {}

  /** Calls `onChange` for every head the watch delivers; returns the function that stops that. */
  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange);
    this.open();
    return () => {
      this.listeners.delete(onChange);
      this.closeIfIdle();
    };
  }

  /** A change was made: keep the watch open for IDLE_MS more. */
  touch(): void {
    if (this.idle) this.idle.refresh();
    else {
      this.idle = setTimeout(() => {
        this.idle = undefined;
        this.closeIfIdle();
      }, IDLE_MS);
      this.idle.unref();
    }
    this.open();
  }

  /** Resolves when the watch delivers a head other than `resourceVersion`, or after `ms`. */
  async other(resourceVersion: string | undefined, ms: number): Promise<StoredObject | undefined> {
    if (!this.stop) return undefined;
    if (this.latest && this.latest.resourceVersion !== resourceVersion) return this.latest;
    let done!: () => void;
    const arrived = new Promise<void>((resolve) => {
      done = resolve;
    });
    const timer = setTimeout(done, ms);
    this.waiting.add(done);
    await arrived;
    clearTimeout(timer);
    this.waiting.delete(done);
    return this.latest?.resourceVersion !== resourceVersion ? this.latest : undefined;
  }

  private open(): void {
    if (this.stop || this.retry) return;
    this.stop = this.http.watch<V1ConfigMap>(
      this.path,
      { labelSelector: `${KIND_LABEL}=${HEAD_KIND}` },
      (event) => {
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
        this.latest = toStored(event.object);
        for (const done of this.waiting) done();
        for (const onChange of this.listeners) onChange();
      },
      () => {
        this.stop = undefined;
        this.latest = undefined;
        for (const done of this.waiting) done();
        if (!this.wanted()) return;
        this.retry = setTimeout(() => {
          this.retry = undefined;
          for (const onChange of this.listeners) onChange();
          if (this.wanted()) this.open();
        }, REWATCH_MS);
        this.retry.unref();
      },
    );
  }

  private wanted(): boolean {
    return this.listeners.size > 0 || this.idle !== undefined;
  }

  private closeIfIdle(): void {
    if (this.wanted()) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.stop?.();
  }
}
