/** Deployment health metrics (the specification's /deployments/health view), from records alone. */
import type { DeploymentRecord } from './types.js';

export interface DeploymentMetrics {
  deploys: number;
  succeeded: number;
  failed: number;
  /** succeeded / finished deploys, 0..1; undefined when none finished. */
  successRate?: number;
  /** Median time from start to ready of succeeded deploys and rollbacks, ms. */
  medianTimeToReadyMs?: number;
  rollbacks: { manual: number; auto: number };
  lastFailure?: { at: string; image: string; message?: string };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function deploymentMetrics(records: readonly DeploymentRecord[]): DeploymentMetrics {
  const deploys = records.filter((r) => r.kind === 'deploy');
  const finished = deploys.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const succeeded = deploys.filter((r) => r.status === 'succeeded').length;
  const failures = records.filter((r) => r.status === 'failed').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const lastFailure = failures[0];
  return {
    deploys: deploys.length,
    succeeded,
    failed: finished.length - succeeded,
    successRate: finished.length ? succeeded / finished.length : undefined,
    medianTimeToReadyMs: median(records.filter((r) => r.status === 'succeeded' && r.durationMs !== undefined).map((r) => r.durationMs!)),
    rollbacks: {
      manual: records.filter((r) => r.kind === 'rollback').length,
      auto: records.filter((r) => r.kind === 'auto-rollback').length,
    },
    lastFailure: lastFailure ? { at: lastFailure.startedAt, image: lastFailure.toImage, message: lastFailure.message } : undefined,
  };
}

/** Metrics per tenant and per tenant/service. */
export function metricsByTenant(records: readonly DeploymentRecord[]): { tenantId: string; total: DeploymentMetrics; services: { service: string; metrics: DeploymentMetrics }[] }[] {
  const tenants = [...new Set(records.map((r) => r.tenantId))].sort();
  return tenants.map((tenantId) => {
    const mine = records.filter((r) => r.tenantId === tenantId);
    const services = [...new Set(mine.map((r) => r.serviceName))].sort();
    return {
      tenantId,
      total: deploymentMetrics(mine),
      services: services.map((service) => ({ service, metrics: deploymentMetrics(mine.filter((r) => r.serviceName === service)) })),
    };
  });
}
