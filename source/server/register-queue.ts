/**
 * Registrations that arrive while one is being written wait and go together in the next write
 * (grouped per caller, since each is recorded as its caller): a lone request is written at once,
 * a burst costs one store write and one audit append per round instead of one per request.
 */
import type { Core } from '../core.js';
import type { ImageVersion } from '../domain/types.js';
import type { RegisterInput } from '../domain/versions.js';
import { registerVersions } from '../pipeline/register-batch.js';

interface Waiting {
  input: RegisterInput;
  resolve: (version: ImageVersion) => void;
  reject: (error: unknown) => void;
}

export class RegisterQueue {
  private readonly waiting = new Map<string, { core: Core; items: Waiting[] }>();
  private writing = false;

  register(core: Core, caller: string, input: RegisterInput): Promise<ImageVersion> {
    return new Promise((resolve, reject) => {
      const batch = this.waiting.get(caller) ?? { core, items: [] };
      batch.items.push({ input, resolve, reject });
      this.waiting.set(caller, batch);
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    for (const [caller, batch] of this.waiting) {
      this.waiting.delete(caller);
      try {
        const outcomes = await registerVersions(batch.core, batch.items.map((w) => w.input));
        outcomes.forEach((o, i) => ('version' in o ? batch.items[i]!.resolve(o.version) : batch.items[i]!.reject(o.refused)));
      } catch (error) {
        for (const w of batch.items) w.reject(error);
      }
    }
    this.writing = false;
  }
}
