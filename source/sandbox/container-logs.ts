/**
 * `GET …/pods/<name>/log` with `previous`, `tailLines` and `timestamps` (issue 15, item 4): the
 * sandbox runs no processes, so each container "writes" a few lines of its own — what runs, that
 * it started, that it is ready — and one that terminated badly writes its failure last (exit
 * code, reason, message), as the log an operator reads after a crash ends. `previous=true` is
 * the run before the last restart (from `lastState.terminated`), else the kubelet's 400.
 * A container that never started gets the kubelet's 400 texts (logs.ts).
 */
import { asArray, asNumber, asString, at, type Json, type KubeObject } from './json.js';
import { chooseContainer, podLog } from './logs.js';
import { badRequest } from './status.js';

interface LogQuery {
  container: string | null;
  previous: boolean;
  tailLines?: number;
  timestamps: boolean;
}

export function containerLog(pod: KubeObject, params: URLSearchParams): string {
  const tail = params.get('tailLines');
  const query: LogQuery = {
    container: params.get('container'),
    previous: params.get('previous') === 'true',
    tailLines: tail === null ? undefined : Number(tail),
    timestamps: params.get('timestamps') === 'true',
  };
  if (query.tailLines !== undefined && (!Number.isInteger(query.tailLines) || query.tailLines < 0)) throw badRequest(`tailLines: Invalid value: "${tail}": must be greater than or equal to 0`);
  const name = String(pod.metadata.name);
  const chosen = chooseContainer(pod, query.container);
  const status = asArray(at(pod, 'status', 'containerStatuses')).find((s) => at(s, 'name') === chosen);
  const ended = terminatedRun(at(status, query.previous ? 'lastState' : 'state', 'terminated'));
  if (query.previous && !ended) throw badRequest(`previous terminated container "${chosen}" in pod "${name}" not found`);
  let lines: string[];
  let startedAt: string;
  if (ended) {
    lines = [`${chosen}: started`, ended.failure ?? `${chosen}: stopped`];
    startedAt = ended.startedAt;
  } else {
    // Running, or the kubelet's refusal for a container that has not started (logs.ts).
    lines = [podLog(pod, chosen).trimEnd(), `${chosen}: started`, `${chosen}: ready`];
    startedAt = asString(at(status, 'state', 'running', 'startedAt')) ?? '';
  }
  const kept = query.tailLines === undefined ? lines : lines.slice(Math.max(0, lines.length - query.tailLines));
  const stamp = startedAt.replace('Z', '.000000000Z');
  return kept.map((line) => `${query.timestamps ? `${stamp} ` : ''}${line}\n`).join('');
}

/** A run that ended: when it started, and its failure line when it did not end well. */
function terminatedRun(terminated: Json | undefined): { startedAt: string; failure?: string } | undefined {
  if (!terminated || typeof terminated !== 'object') return undefined;
  const code = asNumber(at(terminated, 'exitCode')) ?? 0;
  const reason = asString(at(terminated, 'reason'));
  const message = asString(at(terminated, 'message'));
  return {
    startedAt: asString(at(terminated, 'startedAt')) ?? asString(at(terminated, 'finishedAt')) ?? '',
    failure: code === 0 ? undefined : `fatal: exited with code ${code}${reason ? ` (${reason})` : ''}${message ? `: ${message}` : ''}`,
  };
}
