/**
 * Another operator's change, seen within a second: every unit the team store commits swaps the
 * head object, so a watch on the head alone (one small object) tells the console and the monitor
 * when to read again. A watch the server ends (a restart, a timeout) is opened again after a
 * second, with one change reported for what may have been missed meanwhile.
 */
import { Watch } from '@kubernetes/client-node';
import type { Cluster } from '../../adapters/kube.js';
import { HEAD_KIND } from './names.js';
import { KIND_LABEL } from './objects.js';

const REWATCH_MS = 1_000;

export function watchHead(cluster: Cluster, namespace: string, onChange: () => void): () => void {
  let stopped = false;
  let abort: AbortController | undefined;
  let retry: NodeJS.Timeout | undefined;
  const again = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      onChange();
      void open();
    }, REWATCH_MS);
    retry.unref();
  };
  const open = async () => {
    try {
      abort = await new Watch(cluster.kc).watch(`/api/v1/namespaces/${namespace}/configmaps`, { labelSelector: `${KIND_LABEL}=${HEAD_KIND}` }, () => onChange(), again);
      if (stopped) abort.abort();
    } catch {
      again();
    }
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    abort?.abort();
  };
}
