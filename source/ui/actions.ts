/**
 * What the console's action keys do: each calls a pipeline function and turns its progress
 * events into steps of the pipeline log. No decision is made here that the pipeline does not
 * make itself. Pipelines are imported when first used: opening the console does not load Docker,
 * git or schema libraries it may never need.
 */
import type { KubeClient } from '../pipeline/cluster-session.js';
import type { Core } from '../core.js';
import { errorMessage } from '../errors.js';
import type { BuildEvent } from '../pipeline/build.js';
import { canBuildAll } from '../pipeline/build-targets.js';
import type { PipelineEvent } from '../pipeline/events.js';
import type { ServiceView, StepState, TenantView } from './model/state.js';
import { oneLine } from './text.js';
import { tagOf } from '../domain/names.js';
import { approvalForRun, approvalRequested, approvalStillPending, pendingApprovalOf, type GatedRun } from './approvals.js';
import { counted } from '../domain/words.js';

export type ActionId = 'build' | 'build-all' | 'update' | 'update-all' | 'validate' | 'tag' | 'deploy' | 'deploy-all' | 'rollback';

export interface ActionTarget {
  tenant: TenantView;
  /** The selected service, for actions on one service. */
  service?: ServiceView;
}

export interface ActionParams {
  /** Rollback: the version to go back to, and why. */
  versionId?: string;
  reason?: string;
  /** Rollback: confirmed although the registry said it does not have the image (audited with the reason). */
  skipRegistryCheck?: boolean;
}

/** How an action reports: named steps, each running → ok / failed, with lines of output. */
export interface StepLog {
  step(key: string, title: string, state?: StepState): void;
  line(key: string, text: string): void;
  ok(key: string, title?: string): void;
  fail(key: string, title?: string): void;
}

export interface ActionOutcome {
  ok: boolean;
  summary: string;
  /** It stopped for something else to happen first (an approval): shown as `!`, not as a failure. */
  waiting?: boolean;
}

/** Everything an action runs with. */
export interface ActionContext {
  core: Core;
  /** The cluster, when one is configured. */
  client?: KubeClient;
  target: ActionTarget;
  log: StepLog;
  params: ActionParams;
  /** Aborted when the operator quits while the action runs: the pipeline stops at its next safe point. */
  signal?: AbortSignal;
}

export interface ActionDef {
  id: ActionId;
  scope: 'service' | 'tenant';
  mutating: boolean;
  /** Needs a cluster: left out when none is configured. */
  needsCluster?: boolean;
  /** Ask before running: 'always' (y / Enter), 'protected' (type the tenant id where the namespace is protected, else y). */
  confirm?: 'always' | 'protected';
  /** "build callbot": the job's title in the log. */
  describe(target: ActionTarget, core: Core): string;
  /** The confirmation's question, when it says more than the title. */
  question?(target: ActionTarget, core: Core): string;
  run(ctx: ActionContext): Promise<ActionOutcome>;
}

const serviceName = (target: ActionTarget) => {
  if (!target.service) throw new Error('No service is selected.');
  return target.service.service;
};

// ── build ───────────────────────────────────────────────────────────────────────────────────

function buildEventsTo(log: StepLog) {
  return (event: BuildEvent) => {
    const key = event.service;
    switch (event.step) {
      case 'queued':
        log.step(key, `build ${key}`, 'queued');
        break;
      case 'build':
      case 'push':
      case 'register':
        log.step(key, `${event.step === 'build' ? 'build' : event.step} ${key}`, 'running');
        break;
      case 'done':
      case 'unchanged':
        log.ok(key, `${key}: ${event.step === 'unchanged' ? 'unchanged' : 'pushed'}`);
        break;
      case 'failed':
        log.fail(key, `${key}: build failed`);
        break;
      case 'output':
        break;
    }
    for (const line of event.message.split('\n').map(oneLine)) if (line.trim()) log.line(key, line);
  };
}

/** `every`: the one service named must be buildable (b); a tenant's (B) may leave some out. */
async function build(core: Core, names: string[], every: boolean, log: StepLog): Promise<ActionOutcome> {
  const { buildTargets } = await import('../pipeline/build-targets.js');
  const { services, notBuildable } = buildTargets(core.config, names, every);
  if (notBuildable.length > 0) {
    log.step('skipped', `not built (no build entry): ${notBuildable.join(', ')}`, 'warn');
  }
  const { buildServices } = await import('../pipeline/build.js');
  const results = await buildServices(core, services, {}, buildEventsTo(log));
  const failed = results.filter((r) => r.outcome === 'failed');
  const counts = ['pushed', 'built', 'unchanged', 'failed']
    .map((o) => [o, results.filter((r) => r.outcome === o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`);
  return { ok: failed.length === 0, summary: counts.join(', ') };
}

// ── manifests pipelines: events with step + start/done/info/warn ────────────────────────────

/** Marks a step that runs inside another one (update-manifests' "reading tenant" inside deploy's update-manifests). */
export const INNER_STEP = '↳ ';

/**
 * A pipeline's events as log steps. The steps of one pipeline run one after another, so a step
 * that starts ends the one before it that never said "done" (update-manifests' "reading tenant").
 * With `outer` (deploy's steps), the events of the pipelines a step runs are its inner steps:
 * keyed under it (validate's "load" is not update-manifests' "load") and shown after it with ↳.
 */
export function pipelineEventsTo(log: StepLog, outer: readonly string[] = []) {
  let parent: string | undefined;
  /** The step still running at each level ('' the top). */
  const open = new Map<string, string>();
  const begin = (level: string, key: string) => {
    const before = open.get(level);
    if (before && before !== key) log.ok(before);
    open.set(level, key);
  };
  const end = (level: string, key: string) => {
    if (open.get(level) === key) open.delete(level);
  };
  return (event: PipelineEvent) => {
    const isOuter = outer.includes(event.step);
    const level = isOuter || parent === undefined ? '' : parent;
    const key = level ? `${level}/${event.step}` : event.step;
    const text = `${level ? INNER_STEP : ''}${oneLine(event.message)}`;
    switch (event.status) {
      case 'start':
        if (isOuter) parent = event.step;
        begin(level, key);
        log.step(key, text, 'running');
        break;
      case 'done': {
        // An outer step's inner steps have ended with it.
        const inner = isOuter ? open.get(event.step) : undefined;
        if (inner) log.ok(inner);
        if (isOuter) open.delete(event.step);
        end(level, key);
        log.ok(key, text);
        break;
      }
      case 'warn':
        // A warning is where the step ends: a later step does not turn it into ✓.
        end(level, key);
        log.step(key, text, 'warn');
        log.line(key, text);
        break;
      case 'info':
        log.line(key, text);
        break;
    }
  };
}

async function update(core: Core, target: ActionTarget, service: string | undefined, log: StepLog): Promise<ActionOutcome> {
  const { updateManifests } = await import('../pipeline/update-manifests.js');
  const run: GatedRun = { action: 'update-manifests', tenant: target.tenant, service, key: service ? 'u' : 'U' };
  const approval = await approvalForRun(core, run, log);
  if (approval.pending) return approvalStillPending(approval.pending, run, log);
  let result;
  try {
    result = await updateManifests(core, { tenant: target.tenant.id, service, approvalId: approval.approvalId, onEvent: pipelineEventsTo(log) });
  } catch (error) {
    const requested = await pendingApprovalOf(error);
    if (requested) return approvalRequested(requested, run, log);
    throw error;
  }
  log.step('result', `${result.changes.length} changed, ${result.unchanged.length} unchanged, ${result.skipped.length} skipped`, 'ok');
  for (const c of result.changes) log.line('result', `${c.service}: ${c.fromTag ?? c.from} → ${c.toTag} (${c.files.map((f) => f.file).join(', ')})`);
  for (const s of result.skipped) log.line('result', `${s.service}: ${s.reason}`);
  // "Already at the newest" only when nothing was left out for want of a ready version.
  const left = result.skipped.map((s) => `${s.service}: ${s.reason}`).join('; ');
  const summary = result.changes.length ? result.changes.map((c) => `${c.service} → ${c.toTag}`).join(', ') : left ? `nothing changed (${left})` : 'manifests already at the newest ready versions';
  return { ok: true, summary };
}

// ── validate, tag, deploy, rollback ────────────────────────────────────────────────────────

async function validate({ core, client, target, log }: ActionContext): Promise<ActionOutcome> {
  const { validateManifests } = await import('../pipeline/validate.js');
  const result = await validateManifests(core, {
    tenant: target.tenant.id,
    cluster: client?.cluster,
    offlineReason: 'offline: no cluster configured, so no server-side dry run',
    onEvent: pipelineEventsTo(log),
  });
  log.step('problems', `${counted(result.errors, 'error')}, ${counted(result.warnings, 'warning')}`, result.errors > 0 ? 'failed' : result.warnings > 0 ? 'warn' : 'ok');
  for (const p of result.problems) {
    const where = p.path ? `${p.path.split('/').slice(-2).join('/')}${p.line ? `:${p.line}` : ''}` : p.tenant;
    log.line('problems', `${where}: ${p.severity} [${p.check}] ${[p.object, p.field].filter(Boolean).join(' ')} ${p.message}`);
  }
  const cluster = result.cluster.mode === 'dry-run' ? 'server dry run passed' : result.cluster.reason;
  return { ok: result.errors === 0, summary: result.errors === 0 ? `valid${result.warnings ? ` (${counted(result.warnings, 'warning')})` : ''}; ${cluster}` : counted(result.errors, 'error') };
}

async function tag({ core, target, log }: ActionContext): Promise<ActionOutcome> {
  const { tagDeployment } = await import('../pipeline/deploy-tag.js');
  const result = await tagDeployment(core, { tenant: target.tenant.id, onEvent: pipelineEventsTo(log) });
  if (!result.committed && !result.tag) return { ok: true, summary: 'nothing to commit, no new tag' };
  return { ok: true, summary: `${result.commit ? `commit ${result.commit.slice(0, 7)}` : 'no new commit'}${result.tag ? `, tag ${result.tag}` : ''}` };
}

async function deployServices({ core, client, target, log, signal }: ActionContext, services: string[], key: string): Promise<ActionOutcome> {
  const { deploy, DEPLOY_STEPS } = await import('../pipeline/deploy.js');
  const build = canBuildAll(core.config, services);
  const run: GatedRun = { action: 'deploy', tenant: target.tenant, services, build, key };
  const approval = await approvalForRun(core, run, log);
  if (approval.pending) return approvalStillPending(approval.pending, run, log);
  let result;
  try {
    result = await deploy(core, client, { tenant: target.tenant.id, services, build, approvalId: approval.approvalId, signal, onEvent: pipelineEventsTo(log, DEPLOY_STEPS) });
  } catch (error) {
    const requested = await pendingApprovalOf(error);
    if (requested) return approvalRequested(requested, run, log);
    throw error;
  }
  const changed = result.changes.map((c) => `${c.service} → ${c.toTag}`).join(', ');
  return { ok: result.ok, summary: `${changed || 'nothing changed'}${result.gitTag ? `; tag ${result.gitTag}` : ''}${result.ok ? '' : '; a rollout failed'}` };
}

async function rollBack({ core, client, target, log, params, signal }: ActionContext): Promise<ActionOutcome> {
  if (!client) throw new Error('No cluster is configured.');
  const { rollback } = await import('../pipeline/rollback.js');
  const result = await rollback(core, client, {
    tenant: target.tenant.id,
    service: serviceName(target),
    toVersionId: params.versionId,
    reason: params.reason ?? '',
    skipRegistryCheck: params.skipRegistryCheck,
    signal,
    // Its manifest update, tag and rollout run inside the rollback step.
    onEvent: pipelineEventsTo(log, ['rollback']),
  });
  const summary = `${result.from ? tagOf(result.from) : '(none)'} → ${tagOf(result.to)}${result.gitTag ? `; tag ${result.gitTag}` : ''}${result.ok ? '' : `; ${result.message}`}`;
  return { ok: result.ok, summary };
}

// ── the table ───────────────────────────────────────────────────────────────────────────────

const ALL_ACTIONS: ActionDef[] = [
  {
    id: 'build',
    scope: 'service',
    mutating: true,
    describe: (t) => `build ${t.service?.service}`,
    run: ({ core, target, log }) => build(core, [serviceName(target)], true, log),
  },
  {
    id: 'build-all',
    scope: 'tenant',
    mutating: true,
    describe: (t) => `build every service of ${t.tenant.id}`,
    run: ({ core, target, log }) =>
      build(
        core,
        target.tenant.rows.map((r) => r.service),
        false,
        log,
      ),
  },
  {
    id: 'update',
    scope: 'service',
    mutating: true,
    confirm: 'protected',
    describe: (t) => `update ${t.service?.service} in ${t.tenant.id}`,
    question: (t) => `Update the manifest of ${t.service?.service} in ${t.tenant.id} to its newest ready version`,
    run: ({ core, target, log }) => update(core, target, serviceName(target), log),
  },
  {
    id: 'update-all',
    scope: 'tenant',
    mutating: true,
    confirm: 'protected',
    describe: (t) => `update every service of ${t.tenant.id}`,
    question: (t) => `Update every manifest of ${t.tenant.id} to the newest ready versions`,
    run: ({ core, target, log }) => update(core, target, undefined, log),
  },
  {
    id: 'validate',
    scope: 'tenant',
    mutating: false,
    describe: (t) => `validate ${t.tenant.id}`,
    run: validate,
  },
  {
    id: 'tag',
    scope: 'tenant',
    mutating: true,
    describe: (t) => `tag ${t.tenant.id}`,
    run: tag,
  },
  {
    id: 'deploy',
    scope: 'service',
    mutating: true,
    needsCluster: true,
    confirm: 'always',
    describe: (t) => `deploy ${t.service?.service} to ${t.tenant.id}`,
    question: (t, core) =>
      `${canBuildAll(core.config, [t.service?.service ?? '']) ? 'Build and deploy' : 'Deploy the newest ready version of'} ${t.service?.service} to ${t.tenant.id} (update manifests, validate, apply, wait for the rollout, tag)`,
    run: (ctx) => deployServices(ctx, [serviceName(ctx.target)], 'd'),
  },
  {
    id: 'deploy-all',
    scope: 'tenant',
    mutating: true,
    needsCluster: true,
    confirm: 'always',
    describe: (t) => `deploy every service of ${t.tenant.id}`,
    question: (t, core) =>
      `${
        canBuildAll(
          core.config,
          t.tenant.rows.map((r) => r.service),
        )
          ? 'Build and deploy'
          : 'Deploy the newest ready versions of'
      } every service of ${t.tenant.id} (update manifests, validate, apply, wait for the rollouts, tag)`,
    run: (ctx) =>
      deployServices(
        ctx,
        ctx.target.tenant.rows.map((r) => r.service),
        'D',
      ),
  },
  {
    id: 'rollback',
    scope: 'service',
    mutating: true,
    needsCluster: true,
    describe: (t) => `roll back ${t.service?.service} in ${t.tenant.id}`,
    run: rollBack,
  },
];

export const ACTIONS: ReadonlyMap<ActionId, ActionDef> = new Map(ALL_ACTIONS.map((a) => [a.id, a]));

/** The actions that can run here: those needing a cluster only when one is configured. */
export function availableActions(context: { cluster: boolean }): ReadonlySet<ActionId> {
  return new Set(ALL_ACTIONS.filter((a) => context.cluster || !a.needsCluster).map((a) => a.id));
}

export function describeError(error: unknown): string {
  return oneLine(errorMessage(error));
}
