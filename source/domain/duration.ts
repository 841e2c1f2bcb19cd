const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `10m`, `24h`, `2d`, `1h30m` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}

/** The range each duration ecp waits for may take: within it, a timer of Node (at most 24.8 days) fires as meant. */
export const DURATION_BOUNDS = {
  monitorInterval: { min: 1_000, max: 86_400_000 },
  rolloutTimeout: { min: 1_000, max: 86_400_000 },
  approvalTtl: { min: 60_000, max: 30 * 86_400_000 },
  lockTimeout: { min: 1_000, max: 3_600_000 },
  kubeRequestTimeout: { min: 1_000, max: 600_000 },
  sandboxStep: { min: 1, max: 3_600_000 },
} as const;

/** One sentence when `ms` is outside `bounds`; `what` names the flag or key. */
export function durationProblem(what: string, ms: number, bounds: { min: number; max: number }): string | undefined {
  if (Number.isFinite(ms) && ms >= bounds.min && ms <= bounds.max) return undefined;
  return `${what} must be between ${formatDuration(bounds.min)} and ${formatDuration(bounds.max)}.`;
}
