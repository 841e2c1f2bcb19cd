/**
 * State → colour, in one place. Every state the console shows maps to a tone here; a theme maps
 * tones to colours. The no-color theme (NO_COLOR, https://no-color.org) maps nothing: no colour,
 * no inverse, no bold — selection and focus are shown with characters instead.
 */
import type { DeploymentStatus, ScanResult, VersionStatus } from '../domain/types.js';
import type { HealthStatus } from '../domain/health.js';
import type { Badge, SyncStatus, VersionState } from '../domain/status.js';
import type { ShownApprovalStatus } from '../domain/approvals.js';

export type Tone = 'normal' | 'ok' | 'warn' | 'bad' | 'unknown' | 'progress' | 'muted' | 'accent';

export interface Theme {
  name: 'default' | 'no-color';
  /** False: render no escape codes at all (no colour, inverse, bold or dim). */
  styled: boolean;
  colors: Record<Tone, string | undefined>;
  /** Marks the selected row in the first column, in every theme. */
  selectedMarker: string;
}

export const defaultTheme: Theme = {
  name: 'default',
  styled: true,
  colors: {
    normal: undefined,
    ok: 'green',
    warn: 'yellow',
    bad: 'red',
    unknown: 'magenta',
    progress: 'cyan',
    muted: 'gray',
    accent: 'cyan',
  },
  selectedMarker: '›',
};

export const noColorTheme: Theme = {
  name: 'no-color',
  styled: false,
  colors: { normal: undefined, ok: undefined, warn: undefined, bad: undefined, unknown: undefined, progress: undefined, muted: undefined, accent: undefined },
  selectedMarker: '>',
};

/** NO_COLOR set to anything but the empty string turns colour off. */
export function wantsNoColor(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

export function themeFor(env: NodeJS.ProcessEnv, noColor?: boolean): Theme {
  return (noColor ?? wantsNoColor(env)) ? noColorTheme : defaultTheme;
}

// ── state → tone ────────────────────────────────────────────────────────────────────────────

export function syncTone(sync: SyncStatus): Tone {
  return ({ Synced: 'ok', OutOfSync: 'warn', Missing: 'warn', Unknown: 'unknown' } as const)[sync];
}

export function healthTone(health: HealthStatus): Tone {
  return ({ Healthy: 'ok', Progressing: 'progress', Suspended: 'muted', Degraded: 'bad', Missing: 'warn', Unknown: 'unknown' } as const)[health];
}

export function badgeTone(badge: Badge): Tone {
  if (badge === 'OutOfSync' || badge === 'NotReady') return 'warn';
  return healthTone(badge);
}

export function versionStateTone(state: VersionState): Tone {
  return ({ ready: 'ok', pending: 'progress', unregistered: 'warn', blocked: 'bad' } as const)[state];
}

export function versionStatusTone(status: VersionStatus): Tone {
  switch (status) {
    case 'ready':
    case 'deployed':
      return 'ok';
    case 'blocked':
    case 'failed':
      return 'bad';
    case 'retired':
      return 'muted';
    default:
      return 'progress';
  }
}

export function scanTone(scan: ScanResult | undefined): Tone {
  if (scan === undefined) return 'muted';
  return ({ passed: 'ok', failed: 'bad', pending: 'progress', skipped: 'muted' } as const)[scan];
}

export function deploymentTone(status: DeploymentStatus): Tone {
  return ({ succeeded: 'ok', failed: 'bad', progressing: 'progress', pending: 'progress' } as const)[status];
}

/** An approval: cyan while pending, green approved, red rejected, grey expired. */
export function approvalTone(status: ShownApprovalStatus): Tone {
  return ({ pending: 'progress', approved: 'ok', rejected: 'bad', expired: 'muted' } as const)[status];
}

export function vulnerabilityTone(count: number | undefined): Tone {
  if (count === undefined) return 'muted';
  return count === 0 ? 'ok' : 'warn';
}

/** A character per tenant badge, so the state reads without colour too. */
export function badgeSymbol(badge: Badge): string {
  return ({ Healthy: '✓', NotReady: '◌', Suspended: '‖', OutOfSync: '≠', Progressing: '↻', Missing: '∅', Unknown: '?', Degraded: '✗' } as const)[badge];
}
