/** The four panes: tenants | services over history | pipeline log. Their keys are in Panes.keys.ts. */
import { Box } from 'ink';
import React from 'react';
import type { Layout } from '../layout.js';
import { filterOf, logRows, runningJobs, selectedService, selectedTenant, serviceIndex, tenantIndex, visibleServices, visibleTenants, visibleVersions } from '../model/selectors.js';
import type { ConsoleState } from '../model/state.js';
import { HistoryPane } from './HistoryPane.js';
import { LogPane } from './LogPane.js';
import { ServicesPane } from './ServicesPane.js';
import { TenantsPane } from './TenantsPane.js';

export function Panes({ state, layout, now }: { state: ConsoleState; layout: Layout; now: number }) {
  const tenant = selectedTenant(state);
  const rows = visibleServices(state);
  const service = selectedService(state);
  const log = logRows(state);
  /** The filter of a pane other than the services, shown in its top border. */
  const filterNote = (list: 'tenants' | 'history' | 'log') => {
    const text = filterOf(state, list);
    return text || (state.filterEditing && state.filterList === list) ? `/${text}${state.filterEditing ? '_' : ''}` : undefined;
  };
  return (
    <Box flexDirection="column" height={layout.bodyHeight}>
      <Box height={layout.topHeight}>
        <TenantsPane
          tenants={visibleTenants(state)}
          filter={filterNote('tenants')}
          selected={tenantIndex(state)}
          focused={state.focus === 'tenants'}
          width={layout.tenantsWidth}
          height={layout.topHeight}
          visible={layout.visible.tenants}
          loaded={state.loaded}
        />
        <ServicesPane
          tenant={tenant}
          rows={rows}
          selected={serviceIndex(state)}
          focused={state.focus === 'services'}
          width={layout.servicesWidth}
          height={layout.topHeight}
          visible={layout.visible.services}
          filter={filterOf(state, 'services')}
          filterEditing={state.filterEditing && state.filterList === undefined}
          now={now}
          loaded={state.loaded}
        />
      </Box>
      <Box height={layout.bottomHeight}>
        <HistoryPane
          history={state.history}
          versions={visibleVersions(state)}
          filter={filterNote('history')}
          service={service}
          selected={state.historyIndex}
          focused={state.focus === 'history'}
          width={layout.historyWidth}
          height={layout.bottomHeight}
          visible={layout.visible.history}
          now={now}
        />
        <LogPane
          rows={log}
          filter={filterNote('log')}
          running={runningJobs(state).length}
          selected={state.logIndex}
          focused={state.focus === 'log'}
          width={layout.logWidth}
          height={layout.bottomHeight}
          visible={layout.visible.log}
        />
      </Box>
    </Box>
  );
}
