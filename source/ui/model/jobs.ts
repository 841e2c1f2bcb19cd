/**
 * Runs pipeline actions in the background: start() returns at once, the action reports through
 * the pipeline log (steps in the store), and its end — success, failure or a thrown error — is a
 * log entry and a status line, never a crash.
 */
import type { KubeClient } from '../../pipeline/cluster-session.js';
import type { Core } from '../../core.js';
import { errorMessage, InterruptedError } from '../../errors.js';
import { oneLine } from '../text.js';
import { describeError, type ActionDef, type ActionOutcome, type ActionParams, type ActionTarget, type StepLog } from '../actions.js';
import type { ConsoleStore } from './store.js';
import type { Job } from './state.js';

/** The log entry the monitor writes to. */
export const MONITOR_JOB = 0;

export interface JobRunnerOptions {
  now?: () => number;
  /** The cluster, for actions that need one. */
  client?: KubeClient;
  /** Called when a job ends (the console re-reads manifests, store and cluster). */
  onFinished?: (job: Job) => void;
}

/** What the log calls a job that is not a pipeline action. */
export interface JobTask {
  action: string;
  title: string;
  tenantId: string;
  service?: string;
}

export class JobRunner {
  private nextId = 1;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Each running job's stop request (the pipeline's abort signal, as Ctrl-C gives `ecp deploy`). */
  private readonly stops = new Map<number, AbortController>();
  private client?: KubeClient;

  constructor(
    private readonly core: Core,
    private readonly store: ConsoleStore,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.client = options.client;
  }

  /** The cluster connected after the console opened. */
  /** The connected cluster, if any (reads that are not jobs: the live diff). */
  cluster(): KubeClient['cluster'] | undefined {
    return this.client?.cluster;
  }

  setClient(client: KubeClient | undefined): void {
    this.client = client;
  }

  running(): Job[] {
    return this.store.getState().jobs.filter((j) => j.state === 'running');
  }

  /** A mutating action waits for the tenant's running job to end: two writers at once help nobody. */
  busyWith(tenantId: string): Job | undefined {
    return this.running().find((j) => j.tenantId === tenantId);
  }

  /** Starts `action`; returns the job id, or undefined when it was refused (the status line says why). */
  start(action: ActionDef, target: ActionTarget, params: ActionParams = {}): number | undefined {
    const busy = action.mutating ? this.busyWith(target.tenant.id) : undefined;
    if (busy) {
      this.message(`"${busy.title}" is still running on ${target.tenant.id}; wait for it to finish.`, 'error');
      return undefined;
    }
    return this.run({
      action: action.id,
      title: action.describe(target, this.core),
      tenantId: target.tenant.id,
      service: target.service?.service,
      work: (log, signal) => action.run({ core: this.core, client: this.client, target, log, params, signal }),
    });
  }

  /** Runs work that is not a pipeline action (an approval decided in the console) as a job of the log. */
  run(task: JobTask & { work: (log: StepLog, signal: AbortSignal) => Promise<ActionOutcome> }): number {
    const id = this.nextId++;
    const stop = new AbortController();
    this.stops.set(id, stop);
    const job: Job = { id, action: task.action, title: task.title, tenantId: task.tenantId, service: task.service, state: 'running', startedAt: this.now(), steps: [] };
    this.store.dispatch({ type: 'job/started', job });
    this.message(`started: ${task.title}`, 'info');
    const log = this.stepLog(id);
    const work = Promise.resolve()
      .then(() => task.work(log, stop.signal))
      .then(
        (outcome) => this.finish(id, outcome.ok, outcome.summary, outcome.waiting),
        (error: unknown) => {
          const text = describeError(error);
          // The title is cut in the log; the whole error, line by line, is the step's output.
          log.step('error', text, 'failed');
          for (const line of errorMessage(error).split('\n')) if (line.trim()) log.line('error', oneLine(line));
          this.finish(id, false, text, false, error instanceof InterruptedError);
        },
      );
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.stops.delete(id);
    });
    return id;
  }

  /** Refused before anything ran: one failed entry in the log, and the reason in the status line. */
  refuse(task: JobTask, reason: string): void {
    const id = this.nextId++;
    const at = this.now();
    this.store.dispatch({ type: 'job/started', job: { id, action: task.action, title: task.title, tenantId: task.tenantId, service: task.service, state: 'running', startedAt: at, steps: [] } });
    this.store.dispatch({ type: 'job/step', jobId: id, key: 'refused', title: reason, state: 'failed', at });
    this.store.dispatch({ type: 'job/finished', jobId: id, ok: false, summary: 'refused', at });
    this.message(`✗ ${reason}`, 'error');
  }

  /**
   * A line from the monitor (auto-rollback policy): kept under one "monitor" entry of the log;
   * warnings and errors also go to the status line.
   */
  monitorEvent(event: { level: 'info' | 'warn' | 'error'; message: string; at?: string }, title: string): void {
    const at = this.now();
    if (!this.store.getState().jobs.some((j) => j.id === MONITOR_JOB)) {
      this.store.dispatch({ type: 'job/started', job: { id: MONITOR_JOB, action: 'monitor', title, tenantId: '', state: 'ok', startedAt: at, steps: [] } });
    }
    const time = new Date(event.at ? Date.parse(event.at) : at).toISOString().slice(11, 19);
    this.store.dispatch({ type: 'job/step', jobId: MONITOR_JOB, key: 'events', title: 'events', state: event.level === 'info' ? 'info' : 'warn', at });
    this.store.dispatch({ type: 'job/line', jobId: MONITOR_JOB, key: 'events', text: `${time} ${event.level.toUpperCase()} ${event.message}`, at });
    // "cluster unreachable" goes from the status line when the cluster answers again.
    const about = /unreachable|cannot be reached/i.test(event.message) ? 'cluster' : undefined;
    if (event.level !== 'info') this.message(`monitor: ${event.message}`, event.level === 'error' ? 'error' : 'info', about);
  }

  /**
   * Asks every running job to stop at its pipeline's next safe point (deploy and rollback honour
   * it as they honour Ctrl-C on the command line); resolves when they have all ended.
   */
  async stopAll(): Promise<void> {
    for (const stop of this.stops.values()) stop.abort();
    await this.settled();
  }

  /** Resolves when every job started so far has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** `stopped`: it ended at a safe point because it was asked to stop (an InterruptedError). */
  private finish(id: number, ok: boolean, summary: string, waiting = false, stopped = false): void {
    this.store.dispatch({ type: 'job/finished', jobId: id, ok, summary, at: this.now(), waiting, stopped });
    const job = this.store.getState().jobs.find((j) => j.id === id);
    if (!job) return;
    this.message(`${waiting ? '!' : ok ? '✓' : '✗'} ${job.title}${summary ? `: ${summary}` : ''}`, ok ? 'ok' : waiting ? 'info' : 'error', undefined, id);
    this.options.onFinished?.(job);
  }

  private message(text: string, tone: 'info' | 'ok' | 'error', about?: string, jobId?: number): void {
    this.store.dispatch({ type: 'message', message: { text, tone, at: this.now(), about, jobId } });
  }

  private stepLog(jobId: number): StepLog {
    const dispatch = this.store.dispatch;
    const at = this.now;
    return {
      step: (key, title, state = 'running') => dispatch({ type: 'job/step', jobId, key, title, state, at: at() }),
      line: (key, text) => dispatch({ type: 'job/line', jobId, key, text, at: at() }),
      ok: (key, title) => dispatch({ type: 'job/step', jobId, key, title, state: 'ok', at: at() }),
      fail: (key, title) => dispatch({ type: 'job/step', jobId, key, title, state: 'failed', at: at() }),
    };
  }
}
