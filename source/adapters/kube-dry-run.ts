/**
 * Server-side dry run (dryRun=All) of manifest objects through @kubernetes/client-node 1.4's
 * KubernetesObjectApi: a server-side apply with dryRun, which validates the object as the API
 * server would (admission included) without persisting it. A server that does not take apply
 * patches gets a dry-run create instead (an object that already exists then counts as accepted).
 * Errors become one outcome per object; an unreachable server is a UsageError naming it.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { objectApiClient, serverSideApply } from './kube.js';
import { UsageError } from '../errors.js';

export interface DryRunTarget {
  kc: KubeConfig;
  /** "context x (https://…)" — for messages. */
  description: string;
}

export interface DryRunCause {
  field?: string;
  message: string;
}

export type DryRunOutcome = { ok: true; note?: string } | { ok: false; code?: number; reason?: string; message: string; causes: DryRunCause[] };

export interface DryRunner {
  description: string;
  dryRun(object: KubernetesObject): Promise<DryRunOutcome>;
}

export const DEFAULT_DRY_RUN_TIMEOUT_MS = 10_000;

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

function statusOf(error: unknown): { code?: number; status?: StatusBody } {
  const e = error as { code?: unknown; statusCode?: unknown; body?: unknown };
  const code = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  let status: StatusBody | undefined;
  if (typeof e?.body === 'string') {
    try {
      status = JSON.parse(e.body) as StatusBody;
    } catch {
      status = { message: e.body.slice(0, 300) };
    }
  } else if (e?.body && typeof e.body === 'object') {
    status = e.body as StatusBody;
  }
  return { code, status };
}

function causeText(error: unknown): string {
  const e = error as { cause?: { code?: string; message?: string }; message?: string; name?: string };
  if (e?.name === 'TimeoutError') return 'no answer in time';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message?.split('\n')[0] ?? String(error);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(code: number | undefined, status: StatusBody | undefined, fallback: string): DryRunOutcome {
  return {
    ok: false,
    code,
    reason: status?.reason,
    message: status?.message ?? fallback,
    causes: (status?.details?.causes ?? []).map((c) => ({ field: c.field, message: c.message ?? c.reason ?? 'invalid' })),
  };
}

/** A dry runner over a cluster; `fieldManager` names ecp in managed fields (never persisted). */
export function dryRunner(target: DryRunTarget, options: { timeoutMs?: number; fieldManager?: string } = {}): DryRunner {
  const client = objectApiClient(target.kc);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DRY_RUN_TIMEOUT_MS;
  const fieldManager = options.fieldManager ?? 'ecp';
  let applyUnsupported = false;

  const unreachable = (error: unknown) =>
    new UsageError(`The Kubernetes API at ${target.description} could not be reached for the server-side dry run (${causeText(error)}); use --offline to validate without it.`);

  async function create(object: KubernetesObject): Promise<DryRunOutcome> {
    try {
      await withTimeout(client.create(object, undefined, 'All', fieldManager), timeoutMs);
      return { ok: true };
    } catch (error) {
      const { code, status } = statusOf(error);
      if (code === undefined) throw unreachable(error);
      if (code === 409 && status?.reason === 'AlreadyExists') return { ok: true, note: 'exists; checked by a dry-run create only' };
      return failure(code, status, `HTTP ${code}`);
    }
  }

  return {
    description: target.description,
    async dryRun(object) {
      if (applyUnsupported) return create(object);
      try {
        await withTimeout(serverSideApply(client, object, { dryRun: true, force: true, fieldManager }), timeoutMs);
        return { ok: true };
      } catch (error) {
        const { code, status } = statusOf(error);
        if (code === 404 && /^Failed to fetch resource metadata/.test((error as Error).message ?? '')) {
          return { ok: false, code, reason: 'NotFound', message: `the server does not serve ${object.apiVersion}`, causes: [] };
        }
        if (code === undefined) {
          // client-node resolves the resource through discovery first: an unknown kind lands here.
          const message = causeText(error);
          if (/Unrecognized API version and kind|resource .* not found|no matches for kind/i.test(message)) {
            return { ok: false, code: 404, reason: 'NotFound', message: `the server does not know ${object.apiVersion} ${object.kind}`, causes: [] };
          }
          throw unreachable(error);
        }
        if (code === 415 || code === 405 || (code === 400 && /patch type|apply/i.test(status?.message ?? ''))) {
          applyUnsupported = true;
          return create(object);
        }
        return failure(code, status, `HTTP ${code}`);
      }
    },
  };
}
