/**
 * The sandbox: a Kubernetes API server of our own on 127.0.0.1, faithful enough that kubectl
 * 1.32 and client-node 1.4 work against it (DESIGN §9), with a rollout simulator that tests
 * drive through a Clock and a failure pattern for images that never pull.
 *
 * Besides the Kubernetes API it serves one control endpoint of its own:
 *   GET  /sandbox/fail-image                      → {"pattern": "<regex>" | null}
 *   POST /sandbox/fail-image {"pattern": "<regex>"} sets it; {"pattern": null} clears it.
 * Unfinished rollouts re-check at once, so clearing the pattern lets stuck pods start.
 * And a registry's read API (`/v2/`, registry.ts) for the images it is told it holds.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { realClock, type Clock } from './clock.js';
import { Cluster } from './cluster.js';
import { SandboxServer, type RequestFilter, type RequestRecord } from './http.js';
import { asString, timestamp, type KubeObject } from './json.js';
import { writeKubeconfig } from './kubeconfig.js';
import { deployments, services, statefulSets } from './resources.js';
import { SandboxRegistry } from './registry.js';
import { RestApi } from './rest.js';
import { CONTROLLER } from './pods.js';
import { finishedStatus } from './deployment-status.js';
import { RolloutController } from './rollout.js';
import { generatedDeployments, readManifests, type SeedObject } from './seed.js';
import { Store } from './store.js';
import { decodeTyped } from './typed.js';

export { ManualClock, type Clock } from './clock.js';
export type { RequestFilter, RequestRecord } from './http.js';

export interface SandboxOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** A manifests folder (k8s-manifests/<tenant>/*.yaml) to start from; a missing folder seeds nothing. */
  seed?: string;
  /** Generated Deployments to add (50 tenants × 20 services for 1 000). */
  deployments?: number;
  /** Run the rollout simulator (default true). Off: objects only change when clients write. */
  rollouts?: boolean;
  /** Images matching this never pull: their pods stay in ImagePullBackOff. */
  failImage?: RegExp;
  /** The cluster's time; a ManualClock makes rollouts move only on `advance`. Default: real time. */
  clock?: Clock;
  /** Time between two rollout steps, and from pod creation to Running (default 1000 ms). */
  stepMs?: number;
  /** How often watches that allow bookmarks get one, in real time (default 60 s). */
  bookmarkIntervalMs?: number;
  /** How many past events a watch can resume from; older resourceVersions get 410 (default 10 000). */
  eventWindow?: number;
  /** Repository prefix of generated images (default localhost:5000/ecp-ai). */
  imagePrefix?: string;
  /** Also write a kubeconfig here at start. */
  kubeconfig?: string;
  /** Images its registry API (`<url>/v2/`) holds from the start, by repository path and tag. */
  registryImages?: readonly string[];
  /**
   * How many requests `requests()` remembers, the oldest going first (default 100 000, enough for
   * any test run; a record is ~640 bytes). 0 for a sandbox whose requests nobody reads.
   */
  requestLog?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  /** Where `kubeconfig` (option) or the last writeKubeconfig put it. */
  kubeconfigPath?: string;
  clock: Clock;
  /** Writes a kubeconfig (context `ecp-sandbox`) for this server; returns its absolute path. */
  writeKubeconfig(file: string): Promise<string>;
  /** Changes which images fail to pull; unfinished rollouts re-check at once. */
  setFailImage(pattern: RegExp | undefined): void;
  failImage(): RegExp | undefined;
  /** Requests served so far, optionally filtered (`{ verb: 'list', resource: 'deployments' }`). */
  requests(filter?: RequestFilter): RequestRecord[];
  requestCount(filter?: RequestFilter): number;
  clearRequests(): void;
  /** Ends every open watch, as an API server restart would; clients re-watch from their last resourceVersion. */
  dropWatches(): void;
  /** Its registry API (at `url`) holds these images from now on. */
  holdImages(images: Iterable<string>): void;
  /** The manifest digest its registry gives a held image, else undefined. */
  imageDigest(image: string): string | undefined;
  /** Ends open watches and closes the server. */
  stop(): Promise<void>;
}

/** The field manager seeded objects carry: ecp's own. */
export const SEED_MANAGER = 'ecp';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? realClock;
  const store = new Store({ eventWindow: options.eventWindow });
  const cluster = new Cluster(store, clock);
  let failPattern = options.failImage;
  const stepMs = options.stepMs ?? 1000;
  const rollouts = options.rollouts !== false;
  const controller = rollouts ? new RolloutController(cluster, clock, { stepMs, startMs: stepMs, failImage: () => failPattern }) : undefined;

  // What every cluster starts with.
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) cluster.ensureNamespace(name);
  // The API server's own Service, as every cluster has it.
  cluster.create(
    services,
    'default',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], type: 'ClusterIP' },
    },
    { manager: 'kube-apiserver' },
  );
  const seeds: SeedObject[] = [...(options.seed ? readManifests(options.seed) : []), ...generatedDeployments(options.deployments ?? 0, options.imagePrefix ?? 'localhost:5000/ecp-ai', deployments)];
  for (const [i, { type, namespace, object }] of seeds.entries()) {
    // In `ecp --sandbox` the console shares this thread: let its keys and frames through.
    if (i % 25 === 24) await nextTurn();
    // Seeded as `ecp apply` would leave them (server-side apply, field manager ecp), so ecp's own
    // applies later own the same fields instead of conflicting with another manager.
    // Decoded as the API server would take them: a wrong type keeps the object out, unknown fields are dropped.
    const decoded = decodeTyped(type.kind, object, false);
    if (decoded.mismatch) continue;
    const config: KubeObject = { ...decoded.object, metadata: { ...decoded.object.metadata, ...(type.namespaced ? { namespace } : {}) } };
    if (type.namespaced) cluster.ensureNamespace(namespace);
    const { object: created } = cluster.apply(type, namespace, asString(object.metadata.name)!, { typed: config, sent: object }, { manager: SEED_MANAGER, force: true });
    if (type === statefulSets) controller?.settleStatefulSet(created);
    if (type !== deployments) continue;
    if (controller) controller.settle(created);
    else {
      const name = asString(created.metadata.name)!;
      cluster.replace(type, namespace, name, { ...created, status: finishedStatus(created, timestamp(clock.now())) }, { ...CONTROLLER, scope: 'status' });
    }
  }
  controller?.start();
  store.startWindowNow();

  const control = {
    get: () => failPattern,
    set(pattern: RegExp | undefined) {
      failPattern = pattern;
      controller?.wakeAll();
    },
  };
  const registry = new SandboxRegistry();
  registry.hold(options.registryImages ?? []);
  const server = new SandboxServer(store, new RestApi(cluster), control, { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000 }, registry, options.requestLog ?? 100_000);
  const port = await server.listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;

  const sandbox: Sandbox = {
    url,
    port,
    clock,
    async writeKubeconfig(file) {
      sandbox.kubeconfigPath = await writeKubeconfig(file, url);
      return sandbox.kubeconfigPath;
    },
    setFailImage: control.set,
    failImage: control.get,
    requests: (filter) => server.requests(filter),
    requestCount: (filter) => server.requests(filter).length,
    clearRequests: () => server.clearRequests(),
    dropWatches: () => server.dropWatches(),
    holdImages: (images) => registry.hold(images),
    imageDigest: (image) => registry.digestOf(image),
    async stop() {
      controller?.stop();
      await server.close();
    },
  };
  if (options.kubeconfig) await sandbox.writeKubeconfig(options.kubeconfig);
  return sandbox;
}
