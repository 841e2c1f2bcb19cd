/**
 * Monitor detection benchmark (issue 12), on the sandbox and on the real control plane of
 * scripts/kube-env.sh, each holding the 1 000 generated Deployments of bench/once.ts plus one
 * more, bench-monitor/callbot (progressDeadlineSeconds 10). The headless `ecp monitor --interval 1`
 * runs with auto-rollback for callbot; `ecp deploy` puts an image on it that never pulls (the fail
 * pattern; on the real cluster also images whose pods stay Pending until the progress deadline).
 * Measured, for a few such deploys, medians:
 *   - Degraded: the first moment ecp's health rule calls the Deployment Degraded, as a watch of
 *     this bench sees it: a pod of the new image in ErrImagePull/ImagePullBackOff, or the
 *     Deployment's ProgressDeadlineExceeded, whichever comes first (both are reported);
 *   - noticed: the timestamp of the monitor's first line about that image (failed / rolling back);
 *   - patch: the rollback's patch reaching the API server — the audit log's requestReceived on the
 *     real cluster; on the sandbox, whose request log has no times, the watch event it caused.
 * Target: noticed ≤ 1 s after Degraded, patch ≤ 2 s.
 *
 *   ECP_KUBE_NODES=10 scripts/kube-env.sh npm run bench monitor
 *
 * It needs the registry of scripts/test-env.sh (the rollback checks its target image there).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig, Watch, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { FAILING_POD_REASONS } from '../source/domain/health.js';
import { startSandbox } from '../source/sandbox/index.js';
import type { SeedObject } from '../source/sandbox/seed.js';
import { pushTinyImage, registryUnderTest } from '../test/helpers/registry.js';
import { registerImages } from '../test/helpers/versions.js';
import { median } from './lib/measure.js';
import { AuditLog, realCluster, replaceSeeds } from './lib/real-cluster.js';
import { benchDeployments, IMAGE_PREFIX, writeManifests } from './lib/tenants.js';

const NAMESPACE = 'bench-monitor';
const SERVICE = 'callbot';
const PULL_FAILURES = 5;
const DEADLINES = 3;
const PROGRESS_DEADLINE_SECONDS = 10;
const root = path.resolve(import.meta.dirname, '..');
const ecpBin = path.join(root, 'bin', 'ecp.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'ecp-bench-monitor-'));
const image = (tag: string) => `${IMAGE_PREFIX}/${SERVICE}:${tag}`;
const children: ChildProcess[] = [];

/** The 1 000 Deployments of bench/once.ts and the one the monitor is measured on. */
function seeds(): SeedObject[] {
  const [callbot] = benchDeployments(1);
  const spec = { ...(callbot!.object.spec as object), progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS };
  const watched = { ...callbot!, namespace: NAMESPACE, object: { ...callbot!.object, metadata: { ...callbot!.object.metadata, namespace: NAMESPACE }, spec } };
  return [...benchDeployments(1000), watched];
}

/** Polls `done` (the bench's own waits, not a test's) until it holds or `ms` pass. */
async function until<T>(what: string, ms: number, done: () => T | undefined): Promise<T> {
  const limit = Date.now() + ms;
  for (;;) {
    const value = done();
    if (value !== undefined) return value;
    if (Date.now() > limit) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What a watch of bench-monitor sees, with the time each thing was first seen (per image). */
class Observer {
  readonly podFailing = new Map<string, number>();
  readonly deadline = new Map<string, number>();
  /** When the Deployment's template stopped naming this image (the rollback's patch). */
  readonly replaced = new Map<string, number>();
  private current?: string;
  private readonly watches: AbortController[] = [];

  async start(kc: KubeConfig): Promise<void> {
    const watch = new Watch(kc);
    const onError = (error: unknown) => {
      if (error && (error as Error).name !== 'AbortError') console.error(`bench watch ended: ${String(error)}`);
    };
    this.watches.push(
      await watch.watch(
        `/api/v1/namespaces/${NAMESPACE}/pods`,
        {},
        (_type: string, pod: V1Pod) => {
          for (const c of pod.status?.containerStatuses ?? []) {
            const reason = c.state?.waiting?.reason;
            const spec = pod.spec?.containers.find((s) => s.name === c.name)?.image;
            if (reason && FAILING_POD_REASONS.includes(reason) && spec && !this.podFailing.has(spec)) this.podFailing.set(spec, Date.now());
          }
        },
        onError,
      ),
      await watch.watch(
        `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
        { fieldSelector: `metadata.name=${SERVICE}` },
        (_type: string, d: V1Deployment) => {
          const now = Date.now();
          const img = d.spec?.template.spec?.containers[0]?.image;
          if (!img) return;
          if (this.current && img !== this.current && !this.replaced.has(this.current)) this.replaced.set(this.current, now);
          this.current = img;
          const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
          if (progressing?.reason === 'ProgressDeadlineExceeded' && !this.deadline.has(img)) this.deadline.set(img, now);
        },
        onError,
      ),
    );
  }

  stop(): void {
    for (const w of this.watches) w.abort();
  }
}

function ecp(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [ecpBin, ...args], { cwd, env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

interface Detection {
  trigger: 'pod' | 'deadline';
  noticeMs: number;
  patchMs: number;
  /** Real cluster: the audit log's time of the patch, from Degraded. */
  auditPatchMs?: number;
}

/** Deploys of images tagged `<tag>-N` that never become ready; `prepare` makes them fail so. */
interface Phase {
  tag: 'broken' | 'hang';
  what: string;
  deploys: number;
  prepare?: () => void;
}

/**
 * One target: a git repository of manifests with ecp.config.yaml (auto-rollback for callbot),
 * a good deploy first (the rollback's target), the monitor, then each phase's failing deploys.
 */
async function run(name: string, kubeconfig: string, registry: string, phases: Phase[], audit?: AuditLog): Promise<string[]> {
  const repo = path.join(work, name, 'repo');
  const dataDir = path.join(work, name, 'data');
  writeManifests(path.join(repo, 'k8s-manifests'), seeds());
  writeFileSync(path.join(repo, 'ecp.config.yaml'), `dataDir: ${dataDir}\nautoRollback:\n  services: [${SERVICE}]\n  protectedNamespaces: []\n`);
  const gitEnv = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.test', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.test' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, ...gitEnv } });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.test');
  git('config', 'user.name', 'Bench');
  git('add', '.');
  git('commit', '-qm', 'tenants');
  const env = { ...process.env, ...gitEnv, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(work, name, 'kube-cache') };
  const release = async (tag: string) => {
    await pushTinyImage(registry, `ecp-ai/${SERVICE}`, tag);
    await registerImages(dataDir, [image(tag)]);
  };
  await release('v1.0.1');
  const good = await ecp(['deploy', NAMESPACE, '--service', SERVICE, '--no-build', '--timeout', '60s'], repo, env);
  if (good.code !== 0) throw new Error(`${name}: the first (good) deploy failed (exit ${good.code}):\n${good.out}`);

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const observer = new Observer();
  await observer.start(kc);
  const monitor = spawn(process.execPath, [ecpBin, 'monitor', '--interval', '1'], { cwd: repo, env });
  children.push(monitor);
  const lines: { at: number; text: string }[] = [];
  let buffered = '';
  monitor.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const text of complete) lines.push({ at: Date.parse(text.slice(0, 24)), text });
  });
  monitor.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  await until('the monitor start', 30_000, () => lines.find((l) => / monitoring /.test(l.text)));

  const summaries: string[] = [];
  try {
    for (const phase of phases) {
      phase.prepare?.();
      const detections: Detection[] = [];
      for (let i = 1; i <= phase.deploys; i += 1) {
        const failing = image(`${phase.tag}-${i}`);
        await release(`${phase.tag}-${i}`);
        const offset = audit?.mark() ?? 0;
        const seen = lines.length;
        const deploy = ecp(['deploy', NAMESPACE, '--service', SERVICE, '--no-build', '--timeout', '60s'], repo, env);
        const rolledBack = await until(`${name}: auto-rollback of ${failing}`, 90_000, () => lines.slice(seen).find((l) => l.text.includes(`auto-rollback to ${image('v1.0.1')}`)));
        await deploy;
        const pod = observer.podFailing.get(failing);
        const deadline = observer.deadline.get(failing);
        const degraded = Math.min(pod ?? Infinity, deadline ?? Infinity);
        const noticed = lines.slice(seen).find((l) => l.text.includes(failing) && /failed|rolling back/.test(l.text))!;
        const patched = observer.replaced.get(failing)!;
        const auditPatch = audit
          ?.since(offset)
          .find(
            (e) =>
              e.verb === 'patch' && e.user.username === 'ecp-admin' && e.objectRef?.namespace === NAMESPACE && e.objectRef.name === SERVICE && Date.parse(e.requestReceivedTimestamp) >= noticed.at,
          );
        const d: Detection = {
          trigger: pod !== undefined && pod <= (deadline ?? Infinity) ? 'pod' : 'deadline',
          noticeMs: noticed.at - degraded,
          patchMs: patched - degraded,
          auditPatchMs: auditPatch ? Date.parse(auditPatch.requestReceivedTimestamp) - degraded : undefined,
        };
        detections.push(d);
        console.log(
          `${name.padEnd(8)} ${phase.tag} ${i}: Degraded by ${d.trigger}${deadline ? '' : ' (rolled back before the deadline)'}; noticed +${d.noticeMs} ms; ` +
            `rollback patch +${d.patchMs} ms (watch)${d.auditPatchMs !== undefined ? `, +${d.auditPatchMs} ms (audit log)` : ''}; rollback done +${rolledBack.at - degraded} ms`,
        );
      }
      summaries.push(summary(`${name}, ${phase.what}`, detections));
    }
  } finally {
    monitor.kill('SIGTERM');
    observer.stop();
  }
  return summaries;
}

function summary(name: string, ds: Detection[]): string {
  const audit = ds.map((d) => d.auditPatchMs).filter((x): x is number => x !== undefined);
  return (
    `${name}: Degraded → noticed median ${median(ds.map((d) => d.noticeMs))} ms (target ≤ 1000), → rollback patch median ${median(ds.map((d) => d.patchMs))} ms` +
    `${audit.length ? ` (audit log ${median(audit)} ms)` : ''} (target ≤ 2000); ${ds.length} deploys, Degraded by: ${ds.map((d) => d.trigger).join(', ')}`
  );
}

const results: string[] = [];
try {
  const { registry, reason } = await registryUnderTest();
  if (!registry) {
    console.log(`skipped: ${reason}`);
  } else {
    const sandbox = await startSandbox({ seed: writeManifests(path.join(work, 'sandbox-seed'), seeds()), failImage: /:broken-/ });
    try {
      const kubeconfig = await sandbox.writeKubeconfig(path.join(work, 'sandbox-kubeconfig'));
      results.push(...(await run('sandbox', kubeconfig, registry, [{ tag: 'broken', what: 'pod in ImagePullBackOff', deploys: PULL_FAILURES }])));
    } finally {
      await sandbox.stop();
    }
    const cluster = realCluster();
    if (typeof cluster === 'string') results.push(`real     skipped: ${cluster}`);
    else {
      const made = await replaceSeeds(cluster, seeds(), 120_000);
      console.log(`real     applied ${made.applied} Deployments in ${made.ms.toFixed(0)} ms; all available ${(made.availableMs / 1000).toFixed(1)} s later`);
      const stages = (pattern: string, keep: (stage: string) => boolean) => {
        const list = JSON.parse(execFileSync(process.execPath, [path.join(root, 'scripts', 'kube', 'pod-stages.mjs'), pattern], { encoding: 'utf8' })) as { items: { metadata: { name: string } }[] };
        const input = JSON.stringify({ ...list, items: list.items.filter((s) => keep(s.metadata.name)) });
        execFileSync('kubectl', ['--kubeconfig', cluster.kubeconfig, 'apply', '-f', '-'], { input, stdio: ['pipe', 'ignore', 'inherit'] });
        if (!keep('pod-image-pull-failed')) execFileSync('kubectl', ['--kubeconfig', cluster.kubeconfig, 'delete', 'stage.kwok.x-k8s.io', 'pod-image-pull-failed'], { stdio: 'ignore' });
      };
      const phases: Phase[] = [
        { tag: 'broken', what: 'pod in ImagePullBackOff', deploys: PULL_FAILURES, prepare: () => stages(':broken-', () => true) },
        // Without the pull-failure stage kwok leaves those pods Pending with no container status,
        // as a kubelet still pulling would: only the progress deadline makes them Degraded.
        { tag: 'hang', what: `ProgressDeadlineExceeded (${PROGRESS_DEADLINE_SECONDS} s)`, deploys: DEADLINES, prepare: () => stages(':hang-', (s) => s !== 'pod-image-pull-failed') },
      ];
      results.push(...(await run('real', cluster.kubeconfig, registry, phases, new AuditLog(cluster.dir))));
      stages('', () => true);
    }
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log('\nmonitor (ecp monitor --interval 1, auto-rollback on; 1 001 Deployments), medians:');
for (const line of results) console.log(`  ${line}`);
