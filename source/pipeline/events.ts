/** Progress events of the pipelines (update-manifests, validate, tag, apply, deploy, rollback): they never print. */
export interface PipelineEvent {
  /** The pipeline step, e.g. `load`, `registry-check`, `write`, `dry-run`, `commit`. */
  step: string;
  status: 'start' | 'done' | 'info' | 'warn';
  message: string;
  tenant?: string;
  service?: string;
}

export type EventSink = (event: PipelineEvent) => void;

export const ignoreEvents: EventSink = () => undefined;

/** Runs `work` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
