/** The versions of the selected service, newest first; which one runs live and which the manifest names. */
import React, { memo } from 'react';
import type { ImageVersion } from '../../domain/types.js';
import type { HistoryState, ServiceView } from '../model/state.js';
import { LIVE_MARK, MANIFEST_MARK, VERSION_COLUMNS, versionCells, versionTone } from '../render/version-row.js';
import { textWidth } from '../text.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';

export interface HistoryPaneProps {
  history: HistoryState;
  /** The versions shown: the history's, filtered by `/`. */
  versions: readonly ImageVersion[];
  /** The `/` filter, when it filters this pane. */
  filter?: string;
  service?: ServiceView;
  selected: number;
  focused: boolean;
  width: number;
  height: number;
  visible: number;
  now: number;
}

export const HistoryPane = memo(function HistoryPane({ history, versions: filtered, filter, service, selected, focused, width, height, visible, now }: HistoryPaneProps) {
  const current = history.service === service?.service && history.tenantId === service?.tenantId;
  const versions = current ? filtered : [];
  const marks = { liveImage: service?.liveImage, manifestImage: service?.manifestImage };
  const title = service ? `History · ${service.service}` : 'History';
  const position = versions.length ? `${Math.min(selected + 1, versions.length)}/${versions.length}` : '';
  // Where the pane is too narrow for the title and the whole note, the legend shrinks, then goes — not the service's name.
  const notes = [`${LIVE_MARK} live ${MANIFEST_MARK} manifest`, `${LIVE_MARK}live ${MANIFEST_MARK}manifest`, ''].map(
    (legend) => `${filter ? `${filter} ` : ''}${legend}${legend && position ? ' · ' : ''}${position}`,
  );
  const note = notes.find((n) => textWidth(title) + textWidth(n) + 8 <= width) ?? notes.at(-1)!;
  const empty = !service
    ? 'select a service'
    : history.error
      ? `cannot read the store: ${history.error}`
      : history.loading || !current
        ? 'loading…'
        : filter && history.versions.length
          ? 'none matches'
          : 'no versions registered';
  return (
    <Pane title={title} note={note} focused={focused} width={width} height={height}>
      <Table
        columns={VERSION_COLUMNS}
        rows={versions}
        render={(v) => versionCells(v, marks, now)}
        rowTone={versionTone}
        selected={focused ? selected : -1}
        height={visible}
        width={width - 2}
        focused={focused}
        empty={empty}
      />
    </Pane>
  );
});
