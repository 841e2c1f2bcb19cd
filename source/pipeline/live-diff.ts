/**
 * Manifest vs live for one service, as `kubectl diff` / `argocd app diff` show it: the manifest's
 * object applied with a server-side dry run (what live would become), compared with the live
 * object; for every field that would change, the field managers that own it now (who ran
 * `kubectl set image`). Reads only: the dry run changes nothing.
 */
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { assertParsed, loadTenant } from '../adapters/manifests.js';
import { serverSideApply, statusCodeOf, toClusterError, type Cluster } from '../adapters/kube.js';
import type { Core } from '../core.js';
import { fieldDifferences, managersOf, type ManagedFieldsEntry } from '../domain/field-managers.js';
import { UsageError } from '../errors.js';
import { desiredState, FIELD_MANAGER, objectsOf } from './apply.js';

export interface ChangedField {
  path: string;
  live: string;
  manifest: string;
  /** Who owns the live value now: "kubectl-set (Update)". */
  managers: string[];
}

export interface LiveDiff {
  /** "Deployment shop/callbot". */
  object: string;
  /** False: the object is not in the cluster (every field would be created). */
  live: boolean;
  changed: ChangedField[];
  /** Unified diff, live → manifest applied, of what an apply can change. */
  diff: string[];
}

const shown = (value: unknown) => (value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value));

export async function liveDiff(core: Core, cluster: Cluster, target: { tenant: string; service: string }): Promise<LiveDiff> {
  const tenant = await loadTenant(core.config, target.tenant);
  assertParsed(tenant);
  const wanted = objectsOf(tenant).find((o) => o.metadata?.name === target.service && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind ?? ''));
  if (!wanted) throw new UsageError(`Tenant ${target.tenant} has no workload named ${target.service} in its manifests.`);
  const label = `${wanted.kind} ${wanted.metadata?.namespace}/${target.service}`;
  const api = KubernetesObjectApi.makeApiClient(cluster.kc);
  let live: KubernetesObject | undefined;
  try {
    live = await api.read({ apiVersion: wanted.apiVersion!, kind: wanted.kind!, metadata: { name: target.service, namespace: wanted.metadata?.namespace } });
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw toClusterError(cluster, `Reading ${label}`, error);
  }
  let applied: KubernetesObject;
  try {
    // force: the dry run shows the change even where another manager owns the field (that is the point).
    applied = await serverSideApply(api, wanted, { dryRun: true, force: true, fieldManager: FIELD_MANAGER });
  } catch (error) {
    throw toClusterError(cluster, `The dry run of ${label}`, error);
  }
  const before = live ? (JSON.parse(desiredState(live)) as Record<string, unknown>) : {};
  const after = JSON.parse(desiredState(applied)) as Record<string, unknown>;
  const entries = live?.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  const changed = fieldDifferences(before, after).map((d) => ({ path: d.path, live: shown(d.live), manifest: shown(d.wanted), managers: managersOf(entries, d.keys) }));
  const patch = changed.length ? createTwoFilesPatch('live', 'manifest', stringify(before), stringify(after), undefined, undefined, { context: 3 }) : '';
  return { object: label, live: live !== undefined, changed, diff: patch ? patch.trimEnd().split('\n').slice(2) : [] };
}
