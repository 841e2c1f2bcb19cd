/** What every command and the console share: the config, the store, the audit trail, the actor. */
import { currentActor } from './adapters/identity.js';
import type { Config } from './config.js';
import { AuditLog } from './store/audit.js';
import { openStore, type Store } from './store/store.js';

export interface Core {
  config: Config;
  store: Store;
  audit: AuditLog;
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
