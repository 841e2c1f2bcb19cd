/** A registered image version as a row of the history table (and of the rollback dialog). */
import type { ImageVersion } from '../../domain/types.js';
import { scanTone, versionStatusTone, vulnerabilityTone, type Tone } from '../theme.js';
import type { Cell, Column } from './columns.js';
import { ageSince, shortCommit } from './format.js';

export const VERSION_COLUMNS: readonly Column[] = [
  { id: 'mark', title: ' ', width: 1 },
  { id: 'tag', title: 'TAG', flex: 3, min: 10, truncate: 'tag' },
  { id: 'status', title: 'STATUS', width: 8 },
  { id: 'scan', title: 'SCAN', width: 7 },
  { id: 'vulns', title: 'VULNS', width: 5, align: 'right', drop: 2 },
  { id: 'branch', title: 'BRANCH', flex: 1, min: 6, drop: 3 },
  { id: 'commit', title: 'COMMIT', width: 7, drop: 4 },
  { id: 'when', title: 'WHEN', width: 4, align: 'right', drop: 1 },
];

/** Which version runs live and which the manifest names. */
export interface VersionMarks {
  liveImage?: string;
  manifestImage?: string;
}

export const LIVE_MARK = '●';
export const MANIFEST_MARK = '◆';

export function versionMark(v: ImageVersion, marks: VersionMarks): string {
  if (v.fullImageName === marks.liveImage) return LIVE_MARK;
  if (v.fullImageName === marks.manifestImage) return MANIFEST_MARK;
  return ' ';
}

export function versionCells(v: ImageVersion, marks: VersionMarks, now: number): Cell[] {
  const mark = versionMark(v, marks);
  return [
    { text: mark, tone: mark === LIVE_MARK ? 'ok' : 'accent' },
    { text: v.imageTag },
    { text: v.status, tone: versionStatusTone(v.status) },
    { text: v.securityScanResult, tone: scanTone(v.securityScanResult) },
    { text: String(v.vulnerabilitiesCount ?? 0), tone: vulnerabilityTone(v.vulnerabilitiesCount) },
    { text: v.gitBranch || '-' },
    { text: shortCommit(v.gitCommit) },
    { text: ageSince(v.createdAt, now) },
  ];
}

export function versionTone(v: ImageVersion): Tone | undefined {
  return v.status === 'retired' ? 'muted' : undefined;
}
