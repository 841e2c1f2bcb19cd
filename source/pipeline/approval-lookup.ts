/**
 * Before a deploy or manifest update starts in the console (issue 8): what it would write, as
 * the pipeline plans it (a dry run, no registry check), and which recorded approval covers
 * exactly that — an approved one to pass to the run (the gate checks it again), or a pending
 * one it would only wait for again. The namespaces come from the planned changes' objects.
 */
import type { Core } from '../core.js';
import { isExpired } from '../domain/approvals.js';
import type { Approval } from '../domain/types.js';
import { approvalsFor } from './approval-decision.js';
import { approvalRequestOf } from './approval-gate.js';

export interface PlannedRun {
  action: Approval['action'];
  tenantId: string;
  /** deploy: the services it deploys (default: every service of the tenant). */
  services?: string[];
  /** update-manifests: the one service, or every one. */
  service?: string;
  /** deploy: it builds first (the images are then the tags the build will make). */
  build?: boolean;
}

export interface RunApproval {
  approved?: Approval;
  pending?: Approval;
  /** service → image the run would write (when it was planned). */
  images?: Record<string, string>;
}

/** What the run would change, planned as the pipeline plans it; nothing is written. */
async function plannedChanges(core: Core, run: PlannedRun) {
  const { updateManifests } = await import('./update-manifests.js');
  const plan = { tenant: run.tenantId, dryRun: true, skipRegistryCheck: true } as const;
  if (run.action === 'update-manifests') return (await updateManifests(core, { ...plan, service: run.service })).changes;
  let targets: { service?: string; tag?: string }[] = run.services ? run.services.map((service) => ({ service })) : [{}];
  if (run.build && run.services) {
    const [{ headFacts }, { buildTags }] = await Promise.all([import('../adapters/git.js'), import('./build-targets.js')]);
    const tags = buildTags(core.config, await headFacts(core.config.baseDir), run.services, new Date());
    targets = run.services.map((service) => ({ service, tag: tags.get(service) }));
  }
  const changes = [];
  for (const target of targets) changes.push(...(await updateManifests(core, { ...plan, ...target, approval: 'gated-by-caller' })).changes);
  return changes;
}

/** The approval that covers this run, if one is recorded (none when the run needs none). */
export async function approvalForRun(core: Core, run: PlannedRun, now = Date.now()): Promise<RunApproval> {
  const ttl = core.config.approvalTtlMs;
  const recorded = (await core.store.read()).approvals.filter(
    (a) => a.tenantId === run.tenantId && a.action === run.action && (a.status === 'approved' || a.status === 'pending') && !isExpired(a, now, ttl),
  );
  if (recorded.length === 0) return {};
  let changes;
  try {
    changes = await plannedChanges(core, run);
  } catch {
    return {}; // the run itself says what is wrong with it
  }
  const images = Object.fromEntries(changes.map((c) => [c.service, c.to]));
  const request = approvalRequestOf(core, { action: run.action, tenantId: run.tenantId, touched: changes.flatMap((c) => c.workloads.map((w) => w.namespace)), images });
  if (!request) return {};
  return { ...approvalsFor(recorded, request, ttl, now), images };
}
