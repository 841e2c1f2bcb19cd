/**
 * The console: header, tenants | services, history | pipeline log, status line and footer, filling
 * the terminal (rows - 1 lines). Overlays (help, details, dialogs) take the place of the panes.
 * It reads the state and renders it; keys go to the one keyboard owner.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { useConsoleState, useKeyMode } from '../context.js';
import { useKeyboard } from '../hooks/use-keyboard.js';
import { useNow } from '../hooks/use-now.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { KeyView } from '../keymap.js';
import { layoutFor, MIN_SIZE, type Layout, type Size } from '../layout.js';
import { visibleHelpRows } from '../render/help-row.js';
import { keyViewOf } from '../views.js';
import { complete } from '../command-line.js';
import { approvalIndex, approvalRows, filterOf, fleetIndex, fleetRows, openApprovals, runningJobs, selectedService, selectedTenant, totalCounts } from '../model/selectors.js';
import type { ConsoleState } from '../model/state.js';
import { useInfo } from '../context.js';
import { ApprovalsView } from './ApprovalsView.js';
import { CommandLine } from './CommandLine.js';
import { FleetView } from './FleetView.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { DetailsView } from './DetailsView.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { LogDetails } from './LogDetails.js';
import { Panes } from './Panes.js';
import { QuitDialog } from './QuitDialog.js';
import { RollbackDialog } from './RollbackDialog.js';
import { StatusLine } from './StatusLine.js';
import { TextView } from './TextView.js';
import { WhyView } from './WhyView.js';

function Overlay({ state, layout, now }: { state: ConsoleState; layout: Layout; now: number }) {
  const o = state.overlay!;
  const info = useInfo();
  const mode = useKeyMode();
  const width = layout.width;
  const height = layout.bodyHeight;
  switch (o.kind) {
    case 'help':
      return (
        <HelpOverlay
          rows={visibleHelpRows(mode, filterOf(state, 'help'))}
          index={o.index}
          readOnly={info.readOnly}
          filter={filterOf(state, 'help')}
          filterEditing={state.filterEditing}
          width={width}
          height={height}
        />
      );
    case 'details': {
      const service = selectedService(state);
      if (!service) return null;
      const deployments = state.history.service === service.service && state.history.tenantId === service.tenantId ? state.history.deployments : [];
      return <DetailsView service={service} deployments={deployments} width={width} height={height} now={now} />;
    }
    case 'log-details': {
      const job = state.jobs.find((j) => j.id === o.jobId);
      const step = job?.steps.find((s) => s.key === o.stepKey);
      return job && step ? <LogDetails job={job} step={step} back={o.back} width={width} height={height} /> : null;
    }
    case 'text':
      return <TextView title={o.title} lines={o.lines} top={o.top} width={width} height={height} />;
    case 'quit':
      return <QuitDialog running={runningJobs(state)} stopping={o.stopping !== undefined} width={width} height={height} />;
    case 'confirm':
      return <ConfirmDialog dialog={o} width={width} height={height} />;
    case 'rollback': {
      const tenant = state.tenants.find((t) => t.id === o.tenantId);
      const service = tenant?.rows.find((r) => r.service === o.service);
      return <RollbackDialog dialog={o} service={service} width={width} height={height} now={now} />;
    }
    case 'approvals': {
      const rows = approvalRows(state, info.approvalTtlMs);
      const open = openApprovals(state, info.approvalTtlMs, Date.now());
      return (
        <ApprovalsView
          view={o}
          rows={rows}
          selected={approvalIndex(rows, o.selected)}
          open={open}
          tenant={info.tenant}
          filter={filterOf(state, 'approvals')}
          filterEditing={state.filterEditing}
          width={width}
          height={height}
        />
      );
    }
    case 'why':
      return (
        <WhyView
          service={o.service}
          tenantId={o.tenantId}
          diagnosis={o.diagnosis}
          error={o.error}
          scroll={o.scroll}
          filter={filterOf(state, 'why')}
          filterEditing={state.filterEditing}
          width={width}
          height={height}
        />
      );
  }
}

/** The pane keys the status line names when it has nothing to say. */
const HINT_KEYS = ['help', 'command', 'fleet', 'next-pane', 'quit'];

/** The status line when it has nothing to say: the main keys of the panes, or how to leave the open view. */
function hintOf(view: KeyView): string {
  const main = HINT_KEYS.flatMap((id) => view.bindings.filter((b) => b.id === id));
  if (main.length) return main.map((b) => `${b.keys[0]!.display} ${b.label}`).join(' · ');
  const esc = view.bindings.find((b) => b.keys.some((k) => k.display === 'Esc'));
  return esc ? `Esc ${esc.label}` : '';
}

export interface ConsoleAppProps {
  /** A fixed terminal size (tests, benchmarks); else the terminal's, following resizes. */
  size?: Size;
}

export function ConsoleApp({ size: fixed }: ConsoleAppProps) {
  useKeyboard();
  const size = useTerminalSize(fixed);
  const layout = layoutFor(size);
  const state = useConsoleState();
  const keys = keyViewOf(state, useKeyMode());
  // AGE and WHEN columns tick between reads.
  const now = useNow(1000);
  if (layout.tooSmall) {
    return (
      <Box width={layout.width} height={layout.height}>
        <Text wrap="wrap">{`The terminal is ${size.columns}×${size.rows}; ecp needs at least ${MIN_SIZE.columns}×${MIN_SIZE.rows} (80×24 is comfortable). q quits.`}</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Header width={layout.width} counts={totalCounts(state)} live={state.live} refresh={state.refresh} loaded={state.loaded} approvals={state.approvals} />
      {state.overlay ? (
        <Overlay state={state} layout={layout} now={now} />
      ) : state.view === 'fleet' ? (
        <FleetView
          tenants={state.tenants}
          rows={fleetRows(state)}
          selectedRow={fleetIndex(state)}
          selectedTenant={selectedTenant(state)}
          width={layout.width}
          height={layout.bodyHeight}
          filter={filterOf(state, 'services')}
          filterEditing={state.filterEditing}
        />
      ) : (
        <Panes state={state} layout={layout} now={now} />
      )}
      {state.command !== undefined ? (
        <CommandLine text={state.command} completion={complete(state.command, state)} />
      ) : (
        <StatusLine message={state.message ?? (state.loadError ? { text: state.loadError, tone: 'error', at: 0 } : undefined)} width={layout.width} hint={hintOf(keys)} />
      )}
      <Footer view={keys} />
    </Box>
  );
}
