/**
 * w on a service: why it fails, on one screen (issue 15, item 4) — its pods (phase, restarts,
 * waiting reason), the failing container's last log lines, current and previous, and its
 * workload's events, as kubedog and werf show them while they track a rollout. Lines wrap to
 * the width; ↑↓ scroll.
 */
import { Box, Text } from 'ink';
import React from 'react';
import { eventLine, podLine, type WorkloadDiagnosis } from '../../domain/diagnosis.js';
import { textWidth } from '../text.js';
import type { Tone } from '../theme.js';
import { matchesWords } from '../model/selectors.js';
import { FilterLine } from './FilterLine.js';
import { wrapLine } from './LogDetails.js';
import { Pane } from './Pane.js';
import { ToneText } from './ToneText.js';

export interface WhyViewProps {
  service: string;
  tenantId: string;
  /** undefined while it is being read. */
  diagnosis?: WorkloadDiagnosis;
  error?: string;
  /** Wrapped lines scrolled down from the top. */
  scroll: number;
  /** The `/` filter: the pods, log lines and events with its words. */
  filter?: string;
  filterEditing?: boolean;
  width: number;
  height: number;
}

interface Row {
  text: string;
  tone: Tone;
  bold?: boolean;
}

/**
 * The rows the view shows, before wrapping: the pods and the failing log first, then the events
 * newest first — so one screen holds what says why, and older events scroll.
 */
export function whyRows(d: WorkloadDiagnosis, filter = ''): Row[] {
  const rows: Row[] = [{ text: `${d.kind} ${d.namespace}/${d.name}`, tone: 'accent', bold: true }];
  rows.push({ text: d.pods.length ? 'Pods' : 'Pods: none', tone: 'normal', bold: true });
  for (const p of d.pods) rows.push({ text: `  ${podLine(p)}`, tone: p.waiting || p.restarts > 0 ? 'bad' : 'ok' });
  if (d.log) {
    const where = `${d.log.pod}/${d.log.container}`;
    if (d.log.previous?.length) {
      rows.push({ text: `Log of ${where}, previous run`, tone: 'normal', bold: true });
      for (const l of d.log.previous) rows.push({ text: `  ${l}`, tone: 'normal' });
    }
    if (d.log.current) {
      rows.push({ text: `Log of ${where}`, tone: 'normal', bold: true });
      for (const l of d.log.current.length ? d.log.current : ['(empty)']) rows.push({ text: `  ${l}`, tone: 'normal' });
    }
    if (d.log.unavailable) rows.push({ text: `Log of ${where}: ${d.log.unavailable}`, tone: 'warn' });
  } else {
    rows.push({ text: 'Log: no container is failing', tone: 'muted' });
  }
  rows.push({ text: d.events.length ? 'Events, newest first' : 'Events: none', tone: 'normal', bold: true });
  for (const e of [...d.events].reverse()) rows.push({ text: `  ${eventLine(e)}`, tone: e.type === 'Warning' ? 'bad' : 'muted' });
  // `/`: the pods, log lines and events with every word; the headings stay, to say what each is.
  return filter ? rows.filter((r) => r.bold || matchesWords(r.text, filter)) : rows;
}

/**
 * A line cut into pieces of at most `width` columns at spaces (a word longer than the width is
 * cut where it must), continuation lines indented like the first: messages stay readable.
 */
function wrapAtSpaces(line: string, width: number): string[] {
  const indent = /^ */.exec(line)![0];
  const words = line.slice(indent.length).split(' ');
  const pieces: string[] = [];
  let piece = indent;
  for (const word of words) {
    const candidate = piece.trim() === '' ? `${piece}${word}` : `${piece} ${word}`;
    if (textWidth(candidate) <= width || piece.trim() === '') {
      piece = candidate;
      continue;
    }
    pieces.push(piece);
    piece = `${indent}  ${word}`;
  }
  pieces.push(piece);
  return pieces.flatMap((p) => wrapLine(p, width));
}

/** The rows wrapped to a pane of `width`: what is shown, and what the scroll keys move over. */
export function wrappedWhyRows({ diagnosis, error }: Pick<WhyViewProps, 'diagnosis' | 'error'>, width: number, filter = ''): Row[] {
  const rows: Row[] = error ? [{ text: `Could not read why: ${error}`, tone: 'bad' }] : diagnosis ? whyRows(diagnosis, filter) : [{ text: 'reading events, pods and logs…', tone: 'muted' }];
  return rows.flatMap((row) => wrapAtSpaces(row.text, width - 2).map((text) => ({ ...row, text })));
}

/** The first line a pane of `height` can show when scrolled to the end (`filtering`: a line goes to the filter). */
export const lastWhyTop = (lines: number, height: number, filtering = false) => Math.max(0, lines - Math.max(1, height - 2 - (filtering ? 1 : 0)));

export function WhyView({ service, tenantId, diagnosis, error, scroll, filter = '', filterEditing = false, width, height }: WhyViewProps) {
  const filtering = filter !== '' || filterEditing;
  const room = Math.max(1, height - 2 - (filtering ? 1 : 0));
  const wrapped = wrappedWhyRows({ diagnosis, error }, width, filter);
  const top = Math.min(scroll, lastWhyTop(wrapped.length, height, filtering));
  const shown = wrapped.slice(top, top + room);
  const note = wrapped.length > room ? `${top + 1}-${top + shown.length} of ${wrapped.length}` : '';
  return (
    <Pane title={`Why · ${service} · ${tenantId}`} note={note} focused width={width} height={height}>
      {shown.map((row, i) => (
        <Text key={`${top + i}`} wrap="truncate-end">
          <ToneText tone={row.tone} bold={row.bold}>
            {row.text}
          </ToneText>
        </Text>
      ))}
      {filtering ? (
        <Box marginTop={Math.max(0, room - shown.length)}>
          <FilterLine filter={filter} filterEditing={filterEditing} width={width - 2} otherwise={{ text: '', tone: 'muted' }} />
        </Box>
      ) : null}
    </Pane>
  );
}
