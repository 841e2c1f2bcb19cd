/** What every command and the console share: the config, the store, the audit trail, the actor. */
import { currentActor } from './adapters/identity.js';
import type { Config } from './config.js';
import type { AuditTrail, StoreBackend } from './store/backend.js';
import { withCachedReads as withCachedStore } from './store/cached-reads.js';
import { openStore } from './store/open.js';
import { Store } from './store/store.js';

export interface Core {
  config: Config;
  store: StoreBackend;
  audit: AuditTrail;
  actor(): Promise<string>;
}

export function createCore(config: Config): Core {
  const store = openStore(config);
  return {
    config,
    store,
    audit: store.audit,
    actor: () => currentActor(config.baseDir),
  };
}

/**
 * The same core, but `store.read()` parses store.json again only when the file changed: for the
 * console's many reads between two writes. Reads only; writes go through the lock as always.
 */
export function withCachedReads(core: Core): Core {
  return core.store instanceof Store ? { ...core, store: withCachedStore(core.store) } : core;
}
