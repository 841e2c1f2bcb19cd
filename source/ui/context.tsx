/**
 * The provider stack (as gemini-cli splits it): the state store, the actions, the theme and the
 * fixed facts of the session, each in its own context. Key bindings derive from the state.
 */
import React, { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ConsoleState } from './model/state.js';
import type { ConsoleStore } from './model/store.js';
import type { UIActions } from './model/ui-actions.js';
import { defaultTheme, type Theme } from './theme.js';
import type { KeyMode } from './views.js';

/** What the header says about the session; fixed while the console runs. */
export interface ConsoleInfo {
  registry: string;
  /** The store folder. */
  store: string;
  actor: string;
  readOnly: boolean;
  /** Why nothing can be changed, when so: "READ-ONLY", "VIEW ONLY: x is not an operator". */
  mode?: string;
  intervalSeconds: number;
  /** How long an approval stays valid (approvalTtl). */
  approvalTtlMs: number;
  /** Only this tenant (--tenant): its approvals only. */
  tenant?: string;
  /** Read-only mode: the approvals view has no approve / reject keys. */
  decisionsReadOnly: boolean;
}

const StoreContext = createContext<ConsoleStore | null>(null);
const ActionsContext = createContext<UIActions | null>(null);
const ThemeContext = createContext<Theme>(defaultTheme);
const InfoContext = createContext<ConsoleInfo | null>(null);

export interface ConsoleProviderProps {
  store: ConsoleStore;
  actions: UIActions;
  theme: Theme;
  info: ConsoleInfo;
  children: ReactNode;
}

export function ConsoleProvider({ store, actions, theme, info, children }: ConsoleProviderProps) {
  return (
    <StoreContext.Provider value={store}>
      <ActionsContext.Provider value={actions}>
        <ViewProvider theme={theme} info={info}>
          {children}
        </ViewProvider>
      </ActionsContext.Provider>
    </StoreContext.Provider>
  );
}

/** What a component that only renders its props reads: the theme and the session's facts (tests render one component inside it). */
export function ViewProvider({ theme, info, children }: { theme: Theme; info: ConsoleInfo; children: ReactNode }) {
  return (
    <ThemeContext.Provider value={theme}>
      <InfoContext.Provider value={info}>{children}</InfoContext.Provider>
    </ThemeContext.Provider>
  );
}

function required<T>(value: T | null, name: string): T {
  if (value === null) throw new Error(`${name} is used outside <ConsoleProvider>.`);
  return value;
}

export function useConsoleState(): ConsoleState {
  const store = required(useContext(StoreContext), 'useConsoleState');
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}

export const useUIActions = (): UIActions => required(useContext(ActionsContext), 'useUIActions');
export const useTheme = (): Theme => useContext(ThemeContext);
export const useInfo = (): ConsoleInfo => required(useContext(InfoContext), 'useInfo');

const modes = new Map<string, KeyMode>();

/** Which keys are in force now (the cluster's actions appear when it connects). */
export function useKeyMode(): KeyMode {
  const info = useInfo();
  const cluster = useConsoleState().cluster.phase === 'connected';
  return keyMode(info.readOnly, info.decisionsReadOnly, cluster);
}

/** One object per mode, so what is derived from it can be cached on it. */
export function keyMode(readOnly: boolean, decisionsReadOnly: boolean, cluster: boolean): KeyMode {
  const id = `${readOnly}/${decisionsReadOnly}/${cluster}`;
  let mode = modes.get(id);
  if (!mode) modes.set(id, (mode = { readOnly, decisionsReadOnly, cluster }));
  return mode;
}
