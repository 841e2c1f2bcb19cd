/**
 * The provider stack (as gemini-cli splits it): the state store, the actions, the theme and the
 * fixed facts of the session, each in its own context. Key bindings derive from the state.
 */
import React, { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { approvalBindings, bindingsFor, type Binding } from './keymap.js';
import type { ConsoleState } from './model/state.js';
import type { ConsoleStore } from './model/store.js';
import type { UIActions } from './model/ui-actions.js';
import { defaultTheme, type Theme } from './theme.js';

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
        <ThemeContext.Provider value={theme}>
          <InfoContext.Provider value={info}>{children}</InfoContext.Provider>
        </ThemeContext.Provider>
      </ActionsContext.Provider>
    </StoreContext.Provider>
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

/** The key bindings in force now (they change when the cluster connects). */
export function useBindings(): readonly Binding[] {
  const info = useInfo();
  const state = useConsoleState();
  return bindingsFor(info.readOnly, state.cluster.phase === 'connected');
}

/** The keys of the approvals view in force. */
export function useApprovalBindings(): readonly Binding[] {
  return approvalBindings(useInfo().decisionsReadOnly);
}
