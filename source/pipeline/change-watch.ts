/**
 * File-system events for what the console shows: the manifests folder (recursive) and the store
 * file, so a change made from another terminal shows within a second. A folder that cannot be
 * watched (missing, no inotify watches left) is skipped: the caller's interval still re-reads it.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { STORE_FILE } from '../store/store.js';

export interface ChangeWatch {
  close(): void;
}

export function watchManifestsAndStore(config: Pick<Config, 'manifestsDir' | 'dataDir'>, changed: () => void): ChangeWatch {
  const watchers: FSWatcher[] = [];
  const follow = (dir: string, recursive: boolean, relevant: (file: string | null) => boolean) => {
    try {
      const watcher = watch(dir, { recursive, persistent: false }, (_event, file) => {
        if (relevant(file)) changed();
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // Not watchable: left to the interval.
    }
  };
  follow(config.manifestsDir, true, (file) => file === null || /\.ya?ml$/i.test(file) || !path.extname(file));
  // Only the store itself: the console's own log in the same folder must not trigger reads.
  follow(config.dataDir, false, (file) => file === null || file === STORE_FILE);
  return {
    close() {
      for (const watcher of watchers.splice(0)) watcher.close();
    },
  };
}
