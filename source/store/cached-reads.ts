/**
 * The console re-reads the store on every refresh and every burst of live changes; the store file
 * rarely changes between two. This gives the status views and the history loader a core whose
 * `store.read()` parses store.json again only when the file changed (a write is an atomic
 * rename: a new inode), so a refresh of 1 000 services does not parse megabytes of JSON over and
 * over. Reads only: actions keep the real core, whose writes go through the lock as always.
 */
import { stat } from 'node:fs/promises';
import type { StoreData } from './schema.js';
import type { Store } from './store.js';

/** `store` whose read() parses store.json again only when the file changed. */
export function withCachedReads(store: Store): Store {
  let cached: { key: string; data: Promise<StoreData> } | undefined;
  const read = async (): Promise<StoreData> => {
    const s = await stat(store.file).catch(() => undefined);
    const key = s ? `${s.ino}:${s.mtimeMs}:${s.size}` : 'missing';
    if (!cached || cached.key !== key) {
      const data = store.read();
      cached = { key, data };
      data.catch(() => {
        if (cached?.data === data) cached = undefined;
      });
    }
    return cached.data;
  };
  // Methods run with the proxy as `this`, so their own reads (allVersions, findVersion) hit the cache too.
  const cachedStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'read') return read;
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as Store;
  return cachedStore;
}
