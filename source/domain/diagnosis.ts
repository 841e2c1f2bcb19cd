/**
 * "Why did it fail", on one screen (issue 15, item 4): what kubedog and werf show while they
 * track a rollout — the workload's events, its pods with their phases, restarts and waiting
 * reasons, and the last lines of a failing container's log. Pure: objects in, facts and lines out.
 */
import type { KubeMeta, LivePod } from './kube-types.js';

/** An Event as the diagnosis reads it (core/v1, as `kubectl get events` lists it). */
export interface LiveEvent {
  metadata?: KubeMeta;
  involvedObject?: { kind?: string; name?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | Date;
  eventTime?: string | Date;
  firstTimestamp?: string | Date;
}

export interface DiagnosisEvent {
  at?: string;
  type: string;
  reason: string;
  /** `Kind/name` of what the event is about. */
  object: string;
  message: string;
  count: number;
}

export interface DiagnosisPod {
  name: string;
  phase: string;
  ready: string;
  restarts: number;
  /** `Reason: message` of the first container that waits or last terminated badly. */
  waiting?: string;
  /** A pod of an older revision (an old ReplicaSet's, or a StatefulSet pod not at its update revision): it says nothing about the new version. */
  old?: true;
}

/** The log of the failing container: its last lines (current run and, after a restart, the previous one), or why there are none. */
export interface DiagnosisLog {
  pod: string;
  container: string;
  current?: string[];
  previous?: string[];
  /** Why the current log could not be read ("logs not available: …"). */
  unavailable?: string;
}

export interface WorkloadDiagnosis {
  kind: string;
  namespace: string;
  name: string;
  events: DiagnosisEvent[];
  pods: DiagnosisPod[];
  log?: DiagnosisLog;
}

/** How many of each a diagnosis keeps: one screen, and a record that stays small. */
export const DIAGNOSIS_LIMITS = { events: 10, pods: 10, logLines: 20 } as const;

const iso = (value: string | Date | undefined) => (value === undefined ? undefined : new Date(value).toISOString());

/** The events about the workload, its ReplicaSets and its pods (by name), oldest first, the last `DIAGNOSIS_LIMITS.events`. */
export function workloadEvents(events: readonly LiveEvent[], about: ReadonlySet<string>): DiagnosisEvent[] {
  return events
    .filter((e) => about.has(`${e.involvedObject?.kind}/${e.involvedObject?.name}`))
    .map((e) => ({
      at: iso(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp),
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      message: (e.message ?? '').trim(),
      count: e.count ?? 1,
    }))
    .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''))
    .slice(-DIAGNOSIS_LIMITS.events);
}

export function podFacts(pod: LivePod, old = false): DiagnosisPod {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const own = pod.status?.containerStatuses ?? [];
  const bad = statuses.find((c) => c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') ?? statuses.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0);
  const why = bad?.state?.waiting ?? bad?.state?.terminated;
  return {
    name: pod.metadata?.name ?? '?',
    phase: pod.status?.phase ?? 'Unknown',
    ready: `${own.filter((c) => c.ready).length}/${pod.spec?.containers?.length ?? own.length}`,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    waiting: why?.reason ? `${why.reason}${'message' in why && why.message ? `: ${why.message}` : ''}` : undefined,
    ...(old ? { old: true as const } : {}),
  };
}

/** The container whose log tells why: the first that waits for a bad reason, has restarted, or is not ready. */
export function failingContainer(pods: readonly LivePod[]): { pod: string; container: string; restarts: number } | undefined {
  const candidates = pods.flatMap((pod) => (pod.status?.containerStatuses ?? []).map((c) => ({ pod, c })));
  const pick =
    candidates.find(({ c }) => c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') ??
    candidates.find(({ c }) => (c.restartCount ?? 0) > 0) ??
    candidates.find(({ c }) => !c.ready);
  return pick ? { pod: pick.pod.metadata?.name ?? '?', container: pick.c.name, restarts: pick.c.restartCount ?? 0 } : undefined;
}

/** The last `DIAGNOSIS_LIMITS.logLines` lines of a log text. */
export function lastLines(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .slice(-DIAGNOSIS_LIMITS.logLines);
}

/** One event as a line: time, type, reason, object, message (and how often). */
export function eventLine(e: DiagnosisEvent): string {
  return `${e.at ? e.at.slice(11, 19) : '--:--:--'} ${e.type} ${e.reason} ${e.object}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`;
}

/** One pod as a line: name, phase, ready, restarts, and why it waits; a pod of an older revision says so. */
export function podLine(p: DiagnosisPod): string {
  return `${p.name}${p.old ? ' (old revision)' : ''} ${p.phase} ready ${p.ready} restarts ${p.restarts}${p.waiting ? ` ${p.waiting}` : ''}`;
}

/** The diagnosis as plain lines: stderr of `ecp deploy` / `ecp rollback`, and the deployment record. */
export function diagnosisLines(d: WorkloadDiagnosis): string[] {
  const lines = [`${d.kind} ${d.namespace}/${d.name}:`];
  lines.push(d.events.length ? 'events:' : 'events: none');
  for (const e of d.events) lines.push(`  ${eventLine(e)}`);
  lines.push(d.pods.length ? 'pods:' : 'pods: none');
  for (const p of d.pods) lines.push(`  ${podLine(p)}`);
  if (d.log) {
    const where = `${d.log.pod}/${d.log.container}`;
    if (d.log.previous?.length) lines.push(`log of ${where} (previous run):`, ...d.log.previous.map((l) => `  ${l}`));
    if (d.log.current) lines.push(`log of ${where}:`, ...(d.log.current.length ? d.log.current.map((l) => `  ${l}`) : ['  (empty)']));
    if (d.log.unavailable) lines.push(`log of ${where}: ${d.log.unavailable}`);
  }
  return lines;
}
