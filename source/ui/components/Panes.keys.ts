/** The panes' keys (tenants, services, history, log): moving, the pipeline actions, the views they open. */
import type { ActionId } from '../actions.js';
import { char, movementKeys, named, type Binding } from '../keymap.js';
import { logRows, selectedService } from '../model/selectors.js';
import type { Pane } from '../model/state.js';
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

function logOutput(ctx: KeyContext): void {
  const state = ctx.state();
  const row = logRows(state)[state.logIndex];
  if (!row || row.kind === 'job') return;
  ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'log-details', jobId: row.job.id, stepKey: row.step.key, back: 0 } });
}

function back(ctx: KeyContext): void {
  if (ctx.state().filter) return ctx.dispatch({ type: 'filter/close', keep: false });
  ctx.dispatch({ type: 'message', message: undefined });
}

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
    { id: 'log-output', keys: [named('return', 'Enter')], label: 'output', help: 'the whole output of the step', panes: ['log'], footer: true, run: logOutput },
    action('build', 'b', 'build', 'build, push and register the selected service', { panes: SERVICE_PANES, mutating: true }),
    action('build-all', 'B', 'build all', 'build every service of the tenant', { mutating: true }),
    action('update', 'u', 'update', "update the selected service's manifest to its newest ready version", { panes: SERVICE_PANES, mutating: true }),
    action('update-all', 'U', 'update all', "update every service's manifest of the tenant", { mutating: true }),
    action('validate', 'v', 'validate', "validate the tenant's manifests"),
    action('tag', 't', 'tag', "commit the tenant's manifests and make a deploy tag", { mutating: true }),
    action('deploy', 'd', 'deploy', 'deploy the selected service (build, update, validate, apply, wait, tag)', { panes: SERVICE_PANES, mutating: true }),
    action('deploy-all', 'D', 'deploy all', 'deploy every service of the tenant', { mutating: true }),
    action('rollback', 'r', 'rollback', 'roll the selected service back: pick the version, give a reason, confirm', { panes: SERVICE_PANES, mutating: true }),
    { id: 'why', keys: [char('w')], label: 'why', help: "why the service fails: its workload's events, pods and failing log", panes: SERVICE_PANES, footer: true, run: (ctx) => ctx.openWhy() },
    { id: 'approvals', keys: [char('a')], label: 'approvals', help: 'approvals: pending ones first; approve or reject the selected one', footer: true, run: (ctx) => ctx.openApprovals() },
    {
      id: 'refresh',
      keys: [char('R')],
      label: 'refresh',
      help: 're-read manifests, store and cluster now',
      footer: true,
      run: (ctx) => {
        ctx.say('refreshing…');
        ctx.refresh();
      },
    },
    { id: 'filter', keys: [char('/')], label: 'filter', help: 'filter services (words match name, tags and states)', footer: true, run: (ctx) => ctx.dispatch({ type: 'filter/open' }) },
    { id: 'help', keys: [char('?')], label: 'help', help: 'this help', footer: true, run: (ctx) => ctx.dispatch({ type: 'overlay/open', overlay: { kind: 'help', index: 0 } }) },
    { id: 'back', keys: [named('escape', 'Esc')], label: 'back', help: 'clear the filter (or the status line)', run: back },
    { id: 'quit', keys: [char('q')], label: 'quit', help: 'quit (asks first while a step runs)', footer: true, run: (ctx) => ctx.quit() },
  ],
};
