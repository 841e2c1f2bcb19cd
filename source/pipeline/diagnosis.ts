/**
 * Why a workload fails (issue 15, item 4), read from the cluster: its events (and its
 * ReplicaSets' and pods'), its pods, and the last lines of the failing container's log, current
 * and previous. For `ecp deploy` / `ecp rollback` when a rollout fails, the deployment record,
 * and the console's "why" pane. Reads only; a part that cannot be read says so instead.
 */
import type { KubeClient } from '../adapters/kube.js';
import { DIAGNOSIS_LIMITS, diagnosisLines, failingContainer, lastLines, podFacts, workloadEvents, type DiagnosisLog, type LiveEvent, type WorkloadDiagnosis } from '../domain/diagnosis.js';
import { currentRevisionPods, podsOf, type LiveWorkload } from '../domain/health.js';
import type { LivePod, LiveReplicaSet } from '../domain/kube-types.js';
import { errorMessage } from '../errors.js';
import type { EventSink } from './events.js';
import type { WorkloadRef } from './update-manifests.js';

/**
 * A failed rollout explained: the diagnosis of each of the service's workloads as lines, each
 * emitted (step `why`, on stderr for the CLI), returned for the deployment record. A diagnosis
 * that cannot be read says so in one line; it never turns the failure into another error.
 */
export async function explainFailedRollout(client: KubeClient, workloads: readonly WorkloadRef[], emit: EventSink, tenant?: string): Promise<string[]> {
  const lines: string[] = [];
  for (const { kind, namespace, name } of workloads) {
    let said: string[];
    try {
      said = diagnosisLines(await diagnoseWorkload(client, kind, namespace, name));
    } catch (error) {
      said = [`why ${namespace}/${name} failed could not be read: ${errorMessage(error)}`];
    }
    for (const line of said) emit({ step: 'why', status: 'info', message: line, tenant, service: name });
    lines.push(...said);
  }
  return lines;
}

export async function diagnoseWorkload(client: KubeClient, kind: 'Deployment' | 'StatefulSet', namespace: string, name: string): Promise<WorkloadDiagnosis> {
  const [workload, allPods, events, replicaSets] = await Promise.all([
    client.readWorkload(kind, namespace, name),
    client.listPods(namespace),
    client.listEvents(namespace),
    kind === 'Deployment' ? client.listReplicaSets(namespace) : Promise.resolve([]),
  ]);
  const live = workload ? ({ kind, object: workload } as LiveWorkload) : undefined;
  const pods = live ? podsOf(live.object, (allPods ?? []) as LivePod[]) : [];
  const uid = workload?.metadata?.uid;
  const owned = ((replicaSets ?? []) as LiveReplicaSet[]).filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid));
  // The current revision's pods first; an older revision's are shown too, labelled, but its log is not the one that tells why the new version fails.
  const current = live ? currentRevisionPods(live, pods, owned) : [];
  const old = pods.filter((p) => !current.includes(p));
  const about = new Set([`${kind}/${name}`, ...owned.map((rs) => `ReplicaSet/${rs.metadata?.name}`), ...pods.map((p) => `Pod/${p.metadata?.name}`)]);
  return {
    kind,
    namespace,
    name,
    events: workloadEvents((events ?? []) as LiveEvent[], about),
    pods: [...current.map((p) => podFacts(p)), ...old.map((p) => podFacts(p, true))].slice(0, DIAGNOSIS_LIMITS.pods),
    log: await failingLog(client, namespace, failingContainer(current) ?? failingContainer(old)),
  };
}

async function failingLog(client: KubeClient, namespace: string, failing: ReturnType<typeof failingContainer>): Promise<DiagnosisLog | undefined> {
  if (!failing) return undefined;
  const read = (previous: boolean) => client.podLog(namespace, failing.pod, failing.container, { previous, tailLines: DIAGNOSIS_LIMITS.logLines });
  const [current, previous] = await Promise.all([read(false), failing.restarts > 0 ? read(true) : undefined]);
  return {
    pod: failing.pod,
    container: failing.container,
    current: 'text' in current ? lastLines(current.text) : undefined,
    previous: previous && 'text' in previous ? lastLines(previous.text) : undefined,
    unavailable: 'unavailable' in current ? `logs not available: ${current.unavailable}` : undefined,
  };
}
