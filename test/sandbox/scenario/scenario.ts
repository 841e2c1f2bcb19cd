/**
 * One scripted kubectl session an SRE would run (issue 13's differential check): create, get in
 * every output, describe, set image, rollout status / history / undo / restart / pause / resume,
 * scale, label, annotate, each patch type, apply client- and server-side, diff, replace, create
 * <kind>, events, auth, dry runs and deletes. `runScenario` runs it against any kubeconfig and
 * returns a transcript normalised so that two clusters can be compared line by line: uids,
 * timestamps, resourceVersions, generated name suffixes, IPs, ports, ages and column widths.
 *
 * It waits only through kubectl itself (`rollout status`, `wait`), never by sleeping, so it runs
 * against a real control plane as against the sandbox.
 */
import { execFile } from 'node:child_process';
import { createTwoFilesPatch } from 'diff';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ScenarioOptions {
  kubeconfig: string;
  /** kubectl's discovery cache (a fresh folder per run). */
  cacheDir: string;
  /** Where the manifests the scenario applies are written. */
  workDir: string;
  namespace?: string;
  /** Images the cluster can pull; the second is a new version of the first. */
  images?: [string, string];
}

export interface StepResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

type Step = { args: string[]; files?: Record<string, string>; env?: Record<string, string> };

function manifest(ns: string, image: string, replicas: number, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: ${replicas}
${extra}  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 8080}]
`;
}

function statefulSet(ns: string, image: string): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: ${ns}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: ${image}
`;
}

/** kubectl edit's editor: a shell script that changes the replicas in the file it is given. */
const EDITOR = `#!/bin/sh\nsed -i 's/^  replicas: 4$/  replicas: 3/' "$1"\n`;

function steps(ns: string, [v1, v2]: [string, string]): Step[] {
  const n = ['-n', ns];
  const deploy = manifest(ns, v1, 2);
  return [
    { args: ['create', 'namespace', ns] },
    { args: ['apply', '-f', 'web.yaml'], files: { 'web.yaml': deploy } },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['get', 'deploy', ...n] },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'wide'] },
    { args: ['get', 'rs,pods', ...n, '-l', 'app=web'] },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'jsonpath={.spec.replicas} {.spec.strategy} {.status.replicas} {.metadata.generation}'] },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'yaml'] },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'json'] },
    { args: ['describe', 'deploy', 'web', ...n] },
    { args: ['wait', '--for=condition=Available', 'deploy/web', ...n, '--timeout=60s'] },
    // The watch ends at the request timeout; nothing changes meanwhile, so it prints the one row.
    { args: ['get', 'deploy', 'web', ...n, '--watch', '--request-timeout=2s'] },
    { args: ['set', 'image', 'deploy/web', `web=${v2}`, ...n] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['rollout', 'history', 'deploy/web', ...n] },
    { args: ['rollout', 'history', 'deploy/web', ...n, '--revision=1'] },
    { args: ['rollout', 'undo', 'deploy/web', ...n] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['rollout', 'history', 'deploy/web', ...n] },
    { args: ['scale', 'deploy/web', '--replicas=3', ...n] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['label', 'deploy/web', 'tier=front', ...n] },
    { args: ['annotate', 'deploy/web', 'owner=sre', ...n] },
    { args: ['patch', 'deploy/web', ...n, '--type', 'merge', '-p', '{"spec":{"revisionHistoryLimit":5}}'] },
    { args: ['patch', 'deploy/web', ...n, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"MODE","value":"a"}]}]}}}}'] },
    // kubectl says "(no change)" only when the object it read before patching is the one the
    // patch returns, so the rollout's own status writes must be over first.
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['patch', 'deploy/web', ...n, '--type', 'json', '-p', '[{"op":"add","path":"/spec/minReadySeconds","value":0}]'] },
    { args: ['patch', 'deploy/web', ...n, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/nosuch","value":1}]'] },
    { args: ['patch', 'deploy/web', ...n, '-p', '{"spec":{"replicas":"two"}}'] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['rollout', 'pause', 'deploy/web', ...n] },
    { args: ['rollout', 'resume', 'deploy/web', ...n] },
    { args: ['rollout', 'restart', 'deploy/web', ...n] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['apply', '--server-side', '--force-conflicts', '-f', 'web.yaml'] },
    { args: ['apply', '--dry-run=server', '-f', 'typo.yaml'], files: { 'typo.yaml': manifest(ns, v1, 3, '  replica: 2\n') } },
    { args: ['diff', '-f', 'web4.yaml'], files: { 'web4.yaml': manifest(ns, v1, 4) } },
    { args: ['replace', '-f', 'web4.yaml'] },
    { args: ['rollout', 'status', 'deploy/web', ...n, '--timeout=120s'] },
    { args: ['edit', 'deploy/web', ...n], files: { 'editor.sh': EDITOR }, env: { KUBE_EDITOR: 'sh editor.sh' } },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'jsonpath={.spec.replicas} {.metadata.generation}'] },
    { args: ['create', 'deployment', 'api', ...n, `--image=${v1}`] },
    { args: ['rollout', 'status', 'deploy/api', ...n, '--timeout=120s'] },
    { args: ['get', 'deploy', 'api', ...n, '-o', 'yaml'] },
    { args: ['apply', '-f', 'db.yaml'], files: { 'db.yaml': statefulSet(ns, v1) } },
    { args: ['rollout', 'status', 'sts/db', ...n, '--timeout=120s'] },
    { args: ['get', 'sts,pods', ...n, '-l', 'app=db'] },
    { args: ['set', 'image', 'sts/db', `db=${v2}`, ...n] },
    { args: ['rollout', 'status', 'sts/db', ...n, '--timeout=120s'] },
    { args: ['rollout', 'history', 'sts/db', ...n] },
    { args: ['rollout', 'undo', 'sts/db', ...n] },
    { args: ['rollout', 'status', 'sts/db', ...n, '--timeout=120s'] },
    { args: ['get', 'sts', 'db', ...n, '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.status.currentRevision} {.status.updateRevision} {.status.readyReplicas}'] },
    { args: ['apply', '-f', 'elsewhere.yaml'], files: { 'elsewhere.yaml': manifest('nope', v1, 1) } },
    { args: ['delete', '-f', 'db.yaml', '--dry-run=server'] },
    { args: ['create', 'configmap', 'settings', ...n, '--from-literal=LOG_LEVEL=info'] },
    { args: ['create', 'secret', 'generic', 'token', ...n, '--from-literal=key=value'] },
    { args: ['create', 'serviceaccount', 'robot', ...n] },
    { args: ['create', 'service', 'clusterip', 'web', ...n, '--tcp=80:8080'] },
    { args: ['get', 'cm,secret,sa,svc', ...n] },
    // The steps of a rolling update depend on timing (here as on any cluster); the first one does not.
    { args: ['get', 'events', ...n, '--field-selector', 'reason=ScalingReplicaSet', '--sort-by=.metadata.name', '-o', 'jsonpath={.items[0].involvedObject.name}: {.items[0].message}'] },
    { args: ['auth', 'can-i', 'delete', 'deployments', ...n] },
    { args: ['delete', 'deploy', 'web', ...n, '--dry-run=server'] },
    { args: ['get', 'deploy', 'web', ...n, '-o', 'name'] },
    { args: ['apply', '-f', 'job.yaml'], files: { 'job.yaml': `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ${ns}}\n` } },
    { args: ['delete', 'deploy', 'web', ...n] },
    { args: ['get', 'deploy', ...n] },
    { args: ['delete', 'namespace', ns, '--wait=false'] },
  ];
}

function kubectl(options: ScenarioOptions, args: string[], env: Record<string, string> = {}): Promise<StepResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', options.kubeconfig, ...args],
      { cwd: options.workDir, env: { ...process.env, KUBECACHEDIR: options.cacheDir, ...env }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ command: `kubectl ${args.join(' ')}`, code, stdout, stderr });
      },
    );
  });
}

/** Runs every step in order (a failing step does not stop the run: its output is part of the transcript). */
export async function runScenario(options: ScenarioOptions): Promise<StepResult[]> {
  const ns = options.namespace ?? 'ecp-scenario';
  const results: StepResult[] = [];
  // A previous run's namespace may still be Terminating (the last step does not wait for it).
  await kubectl(options, ['wait', '--for=delete', `namespace/${ns}`, '--timeout=180s']);
  for (const step of steps(ns, options.images ?? ['localhost:5000/ecp-ai/web:v1', 'localhost:5000/ecp-ai/web:v2'])) {
    for (const [file, text] of Object.entries(step.files ?? {})) writeFileSync(path.join(options.workDir, file), text);
    results.push(await kubectl(options, step.args, step.env));
  }
  return results;
}

const RULES: [RegExp, string][] = [
  // rollout status prints a line per state it sees, which depends on timing: keep only its verdict.
  [/^Waiting for (deployment|statefulset|partitioned|\d+ pods).*\n/gm, ''],
  // kubectl diff's temp files and their times.
  [/\/tmp\/(LIVE|MERGED)-\d+/g, '<$1>'],
  [/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>'],
  [/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b/g, '<time>'],
  [/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}\b/g, '<time>'],
  [/(resourceVersion"?:\s*)"\d+"/g, '$1"<rv>"'],
  [/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, '<ip>'],
  // pod-template-hash and controller-revision-hash values, then generated pod suffixes.
  [/\b(web|[a-z][a-z0-9-]*?)-[bcdfghjklmnpqrstvwxz2456789]{8,10}\b/g, '$1-<hash>'],
  [/(pod-template-hash[=:]\s*)[bcdfghjklmnpqrstvwxz2456789]{8,10}\b/g, '$1<hash>'],
  [/(-<hash>)-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g, '$1-<suffix>'],
  [/\b\d{5}\/(TCP|UDP)/g, '<port>/$1'],
  [/\bkubectl\.kubernetes\.io\/restartedAt: .*$/gm, 'kubectl.kubernetes.io/restartedAt: <time>'],
  // Ages in tables and describe: 5s, 3m2s, 2d4h, <invalid>, and "(x3 over 4m)".
  [/(^|\s)(\d+(s|m|h|d|y))+(?=\s|$)/gm, '$1<age>'],
  [/\(x\d+ over <age>\)/g, '(xN over <age>)'],
];

/** A step's output with what differs between clusters (and runs) replaced, and columns single-spaced. */
export function normalise(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]{2,}/g, '  ').trimEnd())
    .join('\n');
}

/** The transcript: each command, its exit code and its normalised output. */
export function transcript(results: StepResult[]): string {
  return results.map((r) => [`$ ${r.command}`, `exit ${r.code}`, normalise(r.stdout).trimEnd(), normalise(r.stderr).trimEnd()].filter(Boolean).join('\n')).join('\n\n');
}

/**
 * Steps whose output may differ between the sandbox and a real control plane, each with its
 * reason (docs/sandbox.md's known-differences table says more). Empty: every step of the scenario
 * answers alike today; a step is listed here only with a reason that makes the difference right.
 */
export const KNOWN_DIFFERENCES: readonly { command: string; why: string }[] = [];

/**
 * The differences between two runs of the scenario that are not known ones, as a unified diff
 * of their transcripts (labelled `a` and `b`), or undefined when they answered alike.
 */
export function differences(a: StepResult[], b: StepResult[], labels: [string, string] = ['a', 'b']): string | undefined {
  const known = new Set(KNOWN_DIFFERENCES.map((k) => k.command));
  const shown = (results: StepResult[]) => `${transcript(results.filter((r) => !known.has(r.command)))}\n`;
  const [left, right] = [shown(a), shown(b)];
  return left === right ? undefined : createTwoFilesPatch(labels[0], labels[1], left, right);
}
