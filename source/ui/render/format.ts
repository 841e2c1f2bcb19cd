/** Small formats the row renderers share. */

/** k9s-style age: 45s, 12m, 5h, 3d. */
export function shortAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function ageSince(iso: string | undefined, now: number): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '-' : shortAge(now - at);
}

export const shortCommit = (commit: string | undefined) => (commit ? commit.slice(0, 7) : '-');
