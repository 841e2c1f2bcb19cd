/** Enter on a service: where it comes from, its images, the live containers, its deployments. */
import { Box, Text } from 'ink';
import type React from 'react';
import type { DeploymentRecord } from '../../domain/types.js';
import type { ContainerView, ServiceView } from '../model/state.js';
import { DEPLOYMENT_COLUMNS, deploymentCells } from '../render/deployment-row.js';
import { healthTone, syncTone, versionStateTone } from '../theme.js';
import { wrapLine } from './LogDetails.js';
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
      <ToneText tone="muted">{label.padEnd(LABEL)}</ToneText>
      {children}
    </Text>
  );
}

const LABEL = 16;

/** A long text under its label, wrapped over at most `max` lines (the last one cut with …). */
function wrapped(text: string, width: number, max: number): string[] {
  const lines = wrapLine(text, Math.max(1, width - 2 - LABEL));
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `${lines[max - 1]!.slice(0, -1)}…`];
}

function WrappedLine({ label, lines, tone }: { label: string; lines: readonly string[]; tone?: ReturnType<typeof healthTone> }) {
  return (
    <>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <ToneText tone="muted">{(i === 0 ? label : '').padEnd(LABEL)}</ToneText>
          <ToneText tone={tone}>{line}</ToneText>
        </Text>
      ))}
    </>
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
  // The health message wraps instead of being cut; the problems line is left out when it only
  // repeats it.
  const health = wrapped(s.healthMessage || '-', width, 4);
  const others = s.healthMessage
    ? s.message
        .replace(s.healthMessage, '')
        .replace(/^(; )+|(; )+$/g, '')
        .replace(/; (; )+/, '; ')
    : s.message;
  const problems = others ? wrapped(others, width, 3) : s.message ? [] : ['none'];
  // 5 facts, the health and problem lines, 2 container titles, a blank line, the deployments title and the table header.
  const fixed = 5 + health.length + problems.length + 2 + manifestLines + liveLines + 1 + 1 + 1;
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
      <WrappedLine label="health" lines={health} tone={healthTone(s.health)} />
      <WrappedLine label="problems" lines={problems} />
      <ToneText tone="accent">Containers in the manifest</ToneText>
      <ContainerLines containers={s.containers} max={maxContainers} />
      <ToneText tone="accent">Live containers</ToneText>
      {live ? <ContainerLines containers={live.length ? live : [{ name: '(none)' }]} max={maxContainers} /> : <Text> (not in the cluster)</Text>}
      <Box marginTop={1} flexDirection="column" flexShrink={0}>
        <ToneText tone="accent">
          {deployments.length > tableHeight
            ? `Deployments: newest ${tableHeight} of ${deployments.length} (more: ecp history ${s.tenantId} --service ${s.service})`
            : `Deployments (${deployments.length})`}
        </ToneText>
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
