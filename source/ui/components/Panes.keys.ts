/** The panes' keys (tenants, services, history, log): moving, the pipeline actions, the views they open. */
import type { ActionId } from '../actions.js';
import { char, movementKeys, named, type Binding } from '../keymap.js';
import { logRows, selectedService } from '../model/selectors.js';
import type { Job, JobStep, Pane, ServiceSortKey } from '../model/state.js';
import { stepToShow } from './LogDetails.js';
import type { KeyContext } from '../model/ui-actions.js';
import type { KeyTable } from '../views.js';

const SERVICE_PANES: readonly Pane[] = ['services', 'history'];

const action = (id: ActionId, key: string, label: string, help: string, options: { panes?: readonly Pane[]; mutating?: boolean } = {}): Binding => ({
  id: `action:${id}`,
  action: id,
  keys: [char(key)],
  label,
  help,
  footer: true,
  ...options,
  run: (ctx) => ctx.startAction(id),
});

function details(ctx: KeyContext): void {
  if (!selectedService(ctx.state())) return ctx.say('Select a service first.', 'error');
  ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'details' } });
}

function openOutput(ctx: KeyContext, job: Job, step: JobStep | undefined): void {
  if (!step) return ctx.say(`"${job.title}" has no steps to show.`, 'error');
  ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'log-details', jobId: job.id, stepKey: step.key, back: 0 } });
}

/** Enter in the log: the step's output; on a job, its failed (else last) step's. */
function logOutput(ctx: KeyContext): void {
  const state = ctx.state();
  const row = logRows(state)[state.logIndex];
  if (!row) return ctx.say('Nothing has run yet.', 'error');
  openOutput(ctx, row.job, row.kind === 'job' ? stepToShow(row.job) : row.step);
}

/** l: the output of the job the status line names, else of the newest job. */
function lastOutput(ctx: KeyContext): void {
  const state = ctx.state();
  const job = state.jobs.find((j) => j.id === state.message?.jobId) ?? state.jobs.at(-1);
  if (!job) return ctx.say('Nothing has run yet.', 'error');
  openOutput(ctx, job, stepToShow(job));
}

/** Esc: clears the filter; else back to the fleet the panes were opened from; else clears the status line. */
function back(ctx: KeyContext): void {
  const state = ctx.state();
  if (state.filter) return ctx.dispatch({ type: 'filter/close', keep: false });
  if (state.viewBack) return ctx.dispatch({ type: 'view', view: state.viewBack });
  ctx.dispatch({ type: 'message', message: undefined });
}

const sort = (key: string, by: ServiceSortKey): Binding => ({
  id: `sort:${by}`,
  keys: [char(key)],
  label: `sort ${by}`,
  help: `sort the services by ${by} (again: the other way round)`,
  panes: ['services'],
  run: (ctx) => ctx.dispatch({ type: 'sort', by }),
});

/** Keys the fleet view has too: the views, the live YAML, choosing a tenant by its number. */
export const VIEW_KEYS: readonly Binding[] = [
  {
    id: 'command',
    keys: [char(':')],
    label: 'command',
    help: 'command line: :tenant NAME, :fleet, :approvals, :history, :q (Tab completes)',
    run: (ctx) => ctx.dispatch({ type: 'command/set', text: '' }),
  },
  { id: 'output', keys: [char('l')], label: 'output', help: 'the whole output of the job the status line names (else the newest): its failed step', run: lastOutput },
  {
    id: 'live-diff',
    keys: [char('c')],
    label: 'compare',
    help: 'compare the manifest with the live object (kubectl diff), with who owns each changed field',
    run: (ctx) => ctx.showLiveDiff(),
  },
  { id: 'yaml', keys: [char('y')], label: 'yaml', help: 'the live object of the selected service as YAML', run: (ctx) => ctx.showYaml() },
  {
    id: 'edit',
    keys: [char('e')],
    label: 'edit',
    help: "edit the selected service's manifest file in $VISUAL / $EDITOR (at its line; the console waits, then reads it again)",
    mutating: true,
    run: (ctx) => ctx.editManifest(),
  },
  {
    id: 'tenant-number',
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(char),
    label: 'tenant 1-9',
    help: 'choose the tenant of that number (as in the tenants pane)',
    run: (ctx, press) => {
      const tenant = ctx.state().tenants[Number(press.input) - 1];
      if (!tenant) return ctx.say(`There is no tenant ${press.input}; ${ctx.state().tenants.length} are listed.`, 'error');
      ctx.dispatch({ type: 'tenant/select', tenantId: tenant.id });
    },
  },
];

export const PANE_KEYS: KeyTable = {
  where: 'every pane',
  firstKeyOnly: true,
  bindings: [
    ...movementKeys(
      'move',
      (ctx) => Math.max(1, ctx.layout().visible[ctx.state().focus] - 1),
      (ctx, to) => ctx.dispatch(typeof to === 'number' ? { type: 'move', delta: to } : { type: 'move/edge', to }),
    ),
    { id: 'next-pane', keys: [named('tab', 'Tab', false), named('rightArrow', '→')], label: 'pane', help: 'next pane', footer: true, run: (ctx) => ctx.dispatch({ type: 'focus/cycle', delta: 1 }) },
    { id: 'prev-pane', keys: [named('tab', 'Shift-Tab', true), named('leftArrow', '←')], label: 'prev pane', help: 'previous pane', run: (ctx) => ctx.dispatch({ type: 'focus/cycle', delta: -1 }) },
    {
      id: 'open-tenant',
      keys: [named('return', 'Enter')],
      label: 'services',
      help: 'show the services of the tenant',
      panes: ['tenants'],
      footer: true,
      run: (ctx) => ctx.dispatch({ type: 'focus', pane: 'services' }),
    },
    {
      id: 'details',
      keys: [named('return', 'Enter')],
      label: 'details',
      help: 'details of the service: manifest, images, live containers, deployments',
      panes: SERVICE_PANES,
      footer: true,
      run: details,
    },
    { id: 'log-output', keys: [named('return', 'Enter')], label: 'output', help: 'the whole output of the step (on a job: of its failed step)', panes: ['log'], footer: true, run: logOutput },
    action('build', 'b', 'build', 'build, push and register the selected service', { panes: SERVICE_PANES, mutating: true }),
    action('build-all', 'B', 'build all', 'build every service of the tenant', { mutating: true }),
    action('update', 'u', 'update', "update the selected service's manifest to its newest ready version", { panes: SERVICE_PANES, mutating: true }),
    action('update-all', 'U', 'update all', "update every service's manifest of the tenant", { mutating: true }),
    action('validate', 'v', 'validate', "validate the tenant's manifests"),
    action('tag', 't', 'tag', "commit the tenant's manifests and make a deploy tag", { mutating: true }),
    action('deploy', 'd', 'deploy', 'deploy the selected service (build, update, validate, apply, wait, tag)', { panes: SERVICE_PANES, mutating: true }),
    action('deploy-all', 'D', 'deploy all', 'deploy every service of the tenant', { mutating: true }),
    action('rollback', 'r', 'rollback', 'roll the selected service back: the reason for the offered version (Esc: choose another), confirm', { panes: SERVICE_PANES, mutating: true }),
    { id: 'why', keys: [char('w')], label: 'why', help: "why the service fails: its workload's events, pods and failing log", panes: SERVICE_PANES, footer: true, run: (ctx) => ctx.openWhy() },
    { id: 'approvals', keys: [char('a')], label: 'approvals', help: 'approvals: pending ones first; approve or reject the selected one', footer: true, run: (ctx) => ctx.openApprovals() },
    {
      id: 'refresh',
      keys: [char('R')],
      label: 'refresh',
      help: 're-read manifests, store and cluster now',
      footer: true,
      run: (ctx) => {
        ctx.say('refreshing…', 'info', 'refresh');
        ctx.refresh();
      },
    },
    {
      id: 'filter',
      keys: [char('/')],
      label: 'filter',
      help: 'filter the list of the pane: services (name, tags, states), tenants (name), history (tag, status, branch, commit), log (titles); the fleet (service, tag)',
      footer: true,
      run: (ctx) => ctx.dispatch({ type: 'filter/open' }),
    },
    { id: 'help', keys: [char('?')], label: 'help', help: 'this help', footer: true, run: (ctx) => ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'help', index: 0 } }) },
    { id: 'back', keys: [named('escape', 'Esc')], label: 'back', help: 'clear the filter; else back to the fleet (when opened from it), or clear the status line', run: back },
    { id: 'quit', keys: [char('q')], label: 'quit', help: 'quit (asks first while a step runs)', footer: true, run: (ctx) => ctx.quit() },
    { id: 'fleet', keys: [char('f')], label: 'fleet', help: 'the fleet: every service × every tenant (version, sync, health)', run: (ctx) => ctx.dispatch({ type: 'view', view: 'fleet' }) },
    ...VIEW_KEYS,
    sort('N', 'name'),
    sort('S', 'sync'),
    sort('H', 'health'),
    sort('A', 'age'),
  ],
};
