/** Enter on a service: where it comes from, its images, the live containers, its deployments. */
import { Box, Text } from 'ink';
import React from 'react';
import type { DeploymentRecord } from '../../domain/types.js';
import type { ContainerView, ServiceView } from '../model/state.js';
import { DEPLOYMENT_COLUMNS, deploymentCells } from '../render/deployment-row.js';
import { healthTone, syncTone, versionStateTone } from '../theme.js';
import { Pane } from './Pane.js';
import { Table } from './Table.js';
import { ToneText } from './ToneText.js';

export interface DetailsViewProps {
  service: ServiceView;
  deployments: readonly DeploymentRecord[];
  width: number;
  height: number;
  now: number;
}

function Line({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Text wrap="truncate-end">
      <ToneText tone="muted">{label.padEnd(16)}</ToneText>
      {children}
    </Text>
  );
}

const containerText = (c: ContainerView) => `${c.name ?? '?'}: ${c.image ?? '(no image)'}${c.own ? '  [service image]' : ''}`;

/** At most `max` containers, the rest counted. */
function ContainerLines({ containers, max }: { containers: readonly ContainerView[]; max: number }) {
  const shown = containers.length > max ? containers.slice(0, Math.max(0, max - 1)) : containers;
  return (
    <>
      {shown.map((c, i) => (
        <Text key={i} wrap="truncate-end">{`  ${containerText(c)}`}</Text>
      ))}
      {shown.length < containers.length ? <ToneText tone="muted">{`  … ${containers.length - shown.length} more`}</ToneText> : null}
    </>
  );
}

export function DetailsView({ service: s, deployments, width, height, now }: DetailsViewProps) {
  const live = s.liveContainers;
  const inner = height - 2;
  const maxContainers = 4;
  const manifestLines = Math.min(s.containers.length, maxContainers);
  const liveLines = live ? Math.max(1, Math.min(live.length, maxContainers)) : 1;
  // 7 facts, 2 container titles, a blank line, the deployments title and the table header.
  const fixed = 7 + 2 + manifestLines + liveLines + 1 + 1 + 1;
  const tableHeight = Math.max(1, inner - fixed);
  return (
    <Pane title={`Details · ${s.service} · ${s.tenantId}`} note="Esc back" focused width={width} height={height}>
      <Line label="kind">{`${s.kind} ${s.namespace}/${s.workload}${s.workloads.length > 1 ? `  (the worst of ${s.workloads.length} workloads: ${s.workloads.map((w) => w.name).join(', ')})` : ''}`}</Line>
      <Line label="manifest">{`${s.file}:${s.line}`}</Line>
      <Line label="manifest image">{s.manifestImage}</Line>
      <Line label="live image">{s.liveImage ?? '-'}</Line>
      <Line label="state">
        <ToneText tone={syncTone(s.sync)}>{s.sync}</ToneText>
        {'  '}
        <ToneText tone={healthTone(s.health)}>{s.health}</ToneText>
        {'  ready '}
        {s.desiredReplicas === undefined ? '-' : `${s.readyReplicas ?? 0}/${s.desiredReplicas}`}
        {'  version '}
        <ToneText tone={versionStateTone(s.version)}>{s.version}</ToneText>
        {s.versionId ? ` (${s.versionId}, scan ${s.scan ?? '-'}, ${s.vulnerabilities ?? 0} vulns)` : ''}
      </Line>
      <Line label="health">
        <ToneText tone={healthTone(s.health)}>{s.healthMessage || '-'}</ToneText>
      </Line>
      <Line label="problems">{s.message || 'none'}</Line>
      <ToneText tone="accent">Containers in the manifest</ToneText>
      <ContainerLines containers={s.containers} max={maxContainers} />
      <ToneText tone="accent">Live containers</ToneText>
      {live ? <ContainerLines containers={live.length ? live : [{ name: '(none)' }]} max={maxContainers} /> : <Text> (not in the cluster)</Text>}
      <Box marginTop={1} flexDirection="column" flexShrink={0}>
        <ToneText tone="accent">{`Deployments (${deployments.length})`}</ToneText>
        <Table
          columns={DEPLOYMENT_COLUMNS}
          rows={deployments}
          render={(d) => deploymentCells(d, now)}
          selected={-1}
          height={tableHeight}
          width={width - 2}
          focused={false}
          empty="no deployment recorded by ecp yet"
        />
      </Box>
    </Pane>
  );
}
