/** Two lines: where ecp points (cluster, registry, store, actor) and how things stand (counts, refresh). */
import { Box, Text } from 'ink';
import React from 'react';
import { formatDuration } from '../../domain/duration.js';
import type { StatusCounts } from '../../domain/status.js';
import { useConsoleState, useInfo, useTheme } from '../context.js';
import { useNow } from '../hooks/use-now.js';
import type { ConsoleState } from '../model/state.js';
import { isOpen } from '../../domain/approvals.js';
import { truncate } from '../text.js';
import { ToneText } from './ToneText.js';

export interface HeaderProps {
  width: number;
  counts: StatusCounts;
  live: ConsoleState['live'];
  refresh: ConsoleState['refresh'];
  loaded: boolean;
  approvals: ConsoleState['approvals'];
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))}s`;
const ago = (ms: number) => (ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`);

/**
 * A live-state error as the header shows it, after the age of the last good data: without the
 * cluster's name and address (the first line says them) or what was being read. The whole text
 * is in the log (the monitor's "cluster unreachable" line) and in each service's details.
 */
export function shortLiveError(error: string | undefined): string {
  const api = error ? /^The Kubernetes API at .*? \(\S+\) (.*?)(?: \([^()]*\))?\.?$/.exec(error) : null;
  if (api) return `API ${api[1]}`;
  return error ? `cluster unreachable: ${error}` : 'cluster unreachable';
}

export function Header({ width, counts, live, refresh, loaded, approvals }: HeaderProps) {
  const info = useInfo();
  const theme = useTheme();
  const now = useNow(1000);
  const cluster = useConsoleState().cluster;
  const pending = approvals.filter((a) => isOpen(a, info.approvalTtlMs, now)).length;
  const where = `${cluster.label} · registry ${info.registry} · store ${info.store} · ${info.actor}`;
  const stale = live.configured && !live.reachable;
  // A refresh that could not reach the cluster refreshed nothing: it is not called fresh.
  const refreshed = stale ? '' : refresh.lastAt === undefined ? 'reading…' : `refreshed ${ago(Math.max(0, now - refresh.lastAt))}`;
  const next = refresh.running ? 'refreshing…' : refresh.nextAt === undefined ? '' : `next in ${seconds(refresh.nextAt - now)}`;
  const liveNote = !live.configured
    ? cluster.phase === 'connecting'
      ? 'connecting to the cluster…'
      : cluster.phase === 'failed'
        ? `no cluster: ${cluster.error ?? 'it could not be opened'}`
        : 'no cluster: live state Unknown'
    : live.reachable
      ? ''
      : live.lastGoodAt === undefined && live.error === 'not read yet'
        ? 'connecting to the cluster…'
        : `last good data ${live.lastGoodAt === undefined ? 'never' : ago(Math.max(0, now - live.lastGoodAt))} · retrying · ${shortLiveError(live.error)}`;
  return (
    <Box flexDirection="column" width={width} height={2}>
      <Text wrap="truncate-end">
        {theme.styled ? (
          <Text bold color={theme.colors.accent}>
            ecp
          </Text>
        ) : (
          'ecp'
        )}{' '}
        {info.mode ? (
          <>
            <ToneText tone="warn" bold>
              {info.mode}
            </ToneText>
            {' · '}
          </>
        ) : null}
        {truncate(where, Math.max(0, width - 4 - (info.mode ? info.mode.length + 3 : 0)))}
      </Text>
      <Text wrap="truncate-end">
        {liveNote ? (
          <>
            <ToneText tone={live.configured ? 'bad' : 'unknown'}>{liveNote}</ToneText>
            {'  '}
          </>
        ) : null}
        {loaded ? (
          <>
            <ToneText tone="ok">{`${counts.synced} synced`}</ToneText>
            {'  '}
            <ToneText tone={counts.outOfSync + counts.missing ? 'warn' : 'muted'}>{`${counts.outOfSync + counts.missing} out of sync`}</ToneText>
            {'  '}
            <ToneText tone={counts.degraded ? 'bad' : 'muted'}>{`${counts.degraded} degraded`}</ToneText>
            {'  '}
            <ToneText tone={counts.unknown ? 'unknown' : 'muted'}>{`${counts.unknown} unknown`}</ToneText>
            {'  '}
          </>
        ) : null}
        {pending ? (
          <>
            <ToneText tone="warn" bold>{`${pending} approval${pending === 1 ? '' : 's'} pending (a)`}</ToneText>
            {'  '}
          </>
        ) : null}
        <ToneText tone="muted">{[refreshed, next].filter(Boolean).join(' · ')}</ToneText>
      </Text>
    </Box>
  );
}
