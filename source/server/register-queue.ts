/**
 * Registrations go to the store together (grouped per caller, since each is recorded as its
 * caller): those that arrive within GATHER_MS of an idle queue, or while a write runs, share the
 * next write. A burst costs one store write and one audit append per round instead of one per
 * request; a lone request waits GATHER_MS.
 */
import type { Core } from '../core.js';
import type { ImageVersion } from '../domain/types.js';
import type { RegisterInput } from '../domain/versions.js';
import { registerVersions } from '../pipeline/versions.js';

interface Waiting {
  input: RegisterInput;
  resolve: (version: ImageVersion) => void;
  reject: (error: unknown) => void;
}

/**
 * How long an idle queue waits for the rest of a burst before it writes: the answers to one
 * write go out together, so their callers' next requests arrive together, a moment later.
 */
const GATHER_MS = 2;

export class RegisterQueue {
  private readonly waiting = new Map<string, { core: Core; items: Waiting[] }>();
  private writing = false;

  register(core: Core, caller: string, input: RegisterInput): Promise<ImageVersion> {
    return new Promise((resolve, reject) => {
      const batch = this.waiting.get(caller) ?? { core, items: [] };
      batch.items.push({ input, resolve, reject });
      this.waiting.set(caller, batch);
      if (!this.writing) {
        this.writing = true;
        setTimeout(() => void this.drain(), GATHER_MS);
      }
    });
  }

  private async drain(): Promise<void> {
    for (const [caller, batch] of this.waiting) {
      this.waiting.delete(caller);
      try {
        const outcomes = await registerVersions(
          batch.core,
          batch.items.map((w) => w.input),
        );
        outcomes.forEach((o, i) => {
          if ('version' in o) batch.items[i]!.resolve(o.version);
          else batch.items[i]!.reject(o.refused);
        });
      } catch (error) {
        for (const w of batch.items) w.reject(error);
      }
    }
    this.writing = false;
  }
}
