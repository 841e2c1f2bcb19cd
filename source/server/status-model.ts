/**
 * What the status page draws: the status report with a tone per state, taken from the console's
 * own state → tone mapping (ui/theme.ts), so the page is coloured as the console is.
 */
import { badgeOf } from '../domain/status.js';
import type { StatusReport } from '../pipeline/status-report.js';
import { toWire } from './api-shape.js';
import { badgeSymbol, badgeTone, healthTone, syncTone, versionStateTone } from '../ui/theme.js';

export function statusPageModel(report: StatusReport) {
  return {
    cluster: report.cluster,
    checked_at: report.checkedAt,
    exit_code: report.exitCode,
    summary: toWire(report.summary) as Record<string, number>,
    tenants: report.tenants.map((t) => ({
      id: t.id,
      namespace: t.namespace,
      worst: t.worst,
      worst_symbol: badgeSymbol(t.worst),
      worst_tone: badgeTone(t.worst),
      yaml_errors: t.yamlErrors,
      services: t.rows.map((r) => {
        const badge = badgeOf(r);
        return {
          service: r.service,
          manifest_tag: r.manifestTag,
          live_tag: r.liveTag ?? null,
          sync: r.sync,
          sync_tone: syncTone(r.sync),
          health: r.health,
          health_tone: healthTone(r.health),
          version: r.version,
          version_tone: versionStateTone(r.version),
          badge,
          badge_symbol: badgeSymbol(badge),
          badge_tone: badgeTone(badge),
          message: r.message,
        };
      }),
    })),
  };
}

export type StatusPageModel = ReturnType<typeof statusPageModel>;
