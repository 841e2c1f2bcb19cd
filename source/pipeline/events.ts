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
