/** The one place that owns the console state: a reducer behind subscribe/getState/dispatch. */
import { reducer, type Action } from './reducer.js';
import type { ConsoleState } from './state.js';

export interface ConsoleStore {
  getState(): ConsoleState;
  dispatch(action: Action): void;
  subscribe(listener: () => void): () => void;
}

export function createConsoleStore(initial: ConsoleState): ConsoleStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = reducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
