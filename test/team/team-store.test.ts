/**
 * The team store (issue 16): ConfigMaps in one namespace, written by several operators at once
 * through the head's compare-and-swap, on the sandbox and on the real control plane.
 */
import { describe, expect, it } from 'vitest';
import { registerVersion, VersionExistsError } from '../../source/pipeline/versions.js';
import { sha256 } from '../../source/store/journal.js';
import { HEAD_NAME } from '../../source/store/kubernetes/names.js';
import { headUnits, KEPT_UNITS, parseHead } from '../../source/store/kubernetes/units.js';
import { describeTargets } from '../helpers/cluster-target.js';
import { openTeamStore, sharedTarget, storeNamespace, teamCore } from '../helpers/team-store.js';

const input = (service: string, tag: string) => ({
  serviceName: service,
  imageName: service,
  imageTag: tag,
  fullImageName: `localhost:5000/ecp-ai/${service}:${tag}`,
  gitCommit: 'abc1234',
  gitBranch: 'main',
});

describe('the team store on the sandbox', () => {
  const target = sharedTarget('sandbox');

  // What the sandbox alone can show: the client's port of each request.
  it('sends its requests over kept connections, not a new one (and TLS handshake) each', async () => {
    const namespace = await storeNamespace(target);
    const core = teamCore(openTeamStore(target, namespace));
    for (let i = 0; i < 10; i++) await registerVersion(core, input('svc', `v${i}`));
    const sent = target.sandbox!.requests((r) => r.namespace === namespace);
    // From the second change on, a swap and a create each (the head comes from the watch).
    expect(sent.length).toBeGreaterThanOrEqual(20);
    // A unit's record writes run side by side, so a few connections, never one per request; the head watch has one of its own.
    expect(new Set(sent.map((r) => r.clientPort)).size).toBeLessThanOrEqual(4);
  });

  it('refuses a changed record holding a control character, and writes nothing', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace);
    await registerVersion(teamCore(store), input('svc', 'v0'));
    const before = await store.read();
    await expect(
      store.update((data) => {
        data.versions.push({ ...data.versions[0]!, id: 'svc-v1', imageTag: 'v1', gitBranch: 'main\u001b[31m' });
      }),
    ).rejects.toThrow(/version "svc-v1": field gitBranch holds a control character \(U\+001B\)/);
    expect(await store.read()).toEqual(before);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 1 });
  });

  it('retries a lost swap from the head alone, without listing the store again, and keeps both changes', async () => {
    const namespace = await storeNamespace(target);
    const first = openTeamStore(target, namespace);
    const second = teamCore(openTeamStore(target, namespace), 'ops2@example.com');
    await registerVersion(teamCore(first), input('svc', 'v0'));
    const lists = () => target.sandbox!.requests((r) => r.namespace === namespace && r.verb === 'list').length;
    const before = lists();
    let runs = 0;
    // The second writer commits while the first is preparing on its snapshot: the first's swap then fails.
    await first.update(async (data) => {
      if (runs++ === 0) await registerVersion(second, input('other', 'v1'));
      data.versions.push({ ...data.versions[0]!, id: 'svc-v1-by-hand', imageTag: 'v1', fullImageName: input('svc', 'v1').fullImageName });
    });
    expect(runs).toBe(2);
    // One list for each change: the first writer's retry was prepared on the head it read after losing.
    expect(lists() - before).toBe(2);
    const data = await openTeamStore(target, namespace).read();
    expect(data.versions.map((v) => `${v.serviceName}:${v.imageTag}`).sort()).toEqual(['other:v1', 'svc:v0', 'svc:v1']);
  });

  /** `store`'s head watch (of a store that has a head), opened, with a way to wait for its next deliveries. */
  async function watching(store: ReturnType<typeof openTeamStore>) {
    let delivered = 0;
    const waiters: (() => void)[] = [];
    const stop = store.watch(() => {
      delivered++;
      for (const w of waiters.splice(0)) w();
    });
    const until = async (count: number) => {
      while (delivered < count) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await until(1);
    return { stop, until, delivered: () => delivered };
  }
  const headReads = (namespace: string) => target.sandbox!.requests((r) => r.namespace === namespace && r.verb === 'get' && r.name === HEAD_NAME).length;

  it('swaps the head it watches with no read before each change', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace);
    await registerVersion(teamCore(store), input('svc', 'v0'));
    const watch = await watching(store);
    try {
      for (let i = 1; i < 10; i++) await registerVersion(teamCore(store), input('svc', `v${i}`));
      expect(headReads(namespace)).toBe(0);
      const data = await openTeamStore(target, namespace).read();
      expect(data.versions).toHaveLength(10);
      expect(await store.audit.verify()).toMatchObject({ ok: true, count: 10 });
    } finally {
      watch.stop();
    }
  });

  it('after a lost swap, prepares again on the winner head the watch brought, with no read', async () => {
    const namespace = await storeNamespace(target);
    const first = openTeamStore(target, namespace);
    const second = teamCore(openTeamStore(target, namespace), 'ops2@example.com');
    await registerVersion(teamCore(first), input('svc', 'v0'));
    const watch = await watching(first);
    try {
      let runs = 0;
      await first.update(async (data) => {
        if (runs++ === 0) {
          const seen = watch.delivered();
          await registerVersion(second, input('other', 'v1'));
          // The winner's swap is one head change: the first writer's watch brings it.
          await watch.until(seen + 1);
        }
        data.versions.push({ ...data.versions[0]!, id: 'svc-v1-by-hand', imageTag: 'v1', fullImageName: input('svc', 'v1').fullImageName });
      });
      expect(runs).toBe(2);
      expect(headReads(namespace)).toBe(0);
      const data = await openTeamStore(target, namespace).read();
      expect(data.versions.map((v) => `${v.serviceName}:${v.imageTag}`).sort()).toEqual(['other:v1', 'svc:v0', 'svc:v1']);
      expect(await first.audit.verify()).toMatchObject({ ok: true });
    } finally {
      watch.stop();
    }
  });
});

describeTargets('the team store (issue 16)', (kind) => {
  const target = sharedTarget(kind);

  it('says the namespace is missing, not that the store is empty, when it reads a namespace that is not there', async () => {
    const store = openTeamStore(target, 'ecp-store-not-there');
    const missing = /^The team store's namespace ecp-store-not-there does not exist on .*; create it \(kubectl create namespace ecp-store-not-there\)/;
    await expect(store.read()).rejects.toThrow(missing);
    await expect(store.audit.verify()).rejects.toThrow(missing);
    // An empty store in a namespace that is there reads as empty.
    expect((await openTeamStore(target, await storeNamespace(target)).read()).versions).toEqual([]);
  });

  it('keeps every registration of three writers at once, lets exactly one of two duplicates win, and the chain verifies naming each actor', async () => {
    const namespace = await storeNamespace(target);
    const actors = ['ops1@example.com', 'ops2@example.com', 'ops3@example.com'];
    const cores = actors.map((actor) => teamCore(openTeamStore(target, namespace), actor));
    const perWriter = kind === 'real' ? 20 : 30;
    const outcomes = await Promise.all(
      cores.map(async (core, w) => {
        const results: (string | Error)[] = [];
        for (let i = 0; i < perWriter; i++) {
          results.push((await registerVersion(core, input(`svc${w}`, `v${i}`))).id);
          // Every writer also registers the one shared image once, half-way.
          if (i === perWriter / 2)
            results.push(
              await registerVersion(core, input('shared', 'v1')).then(
                (v) => v.id,
                (e: Error) => e,
              ),
            );
        }
        return results;
      }),
    );
    const shared = outcomes.flat().filter((r) => typeof r !== 'string' || r.startsWith('shared-'));
    expect(shared.filter((r) => typeof r === 'string')).toHaveLength(1);
    expect(shared.filter((r) => r instanceof VersionExistsError)).toHaveLength(2);

    const reader = openTeamStore(target, namespace);
    const data = await reader.read();
    expect(data.versions).toHaveLength(3 * perWriter + 1);
    expect(new Set(data.versions.map((v) => v.id)).size).toBe(3 * perWriter + 1);
    const verdict = await reader.audit.verify();
    expect(verdict).toMatchObject({ ok: true, count: 3 * perWriter + 1 });
    const events = await reader.audit.list();
    for (const [w, actor] of actors.entries()) expect(events.filter((e) => e.actor === actor && e.target.startsWith(`svc${w}-`))).toHaveLength(perWriter);
    // One object per record, labelled and named from its id.
    const listed = await target.kubectl(['-n', namespace, 'get', 'configmaps', '-l', 'app.kubernetes.io/managed-by=ecp,ecp.dev/kind=version,ecp.dev/service=svc1', '-o', 'name']);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(
      data.versions
        .filter((v) => v.serviceName === 'svc1')
        .map((v) => `configmap/ecp-version-${v.id}`)
        .sort(),
    );
  }, 300_000);

  it('packs versions beyond the retention bound into archive objects that the full history still reads', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace, 3);
    const core = teamCore(store);
    for (let i = 0; i < 8; i++) await registerVersion(core, input('callbot', `v${i}`));
    const hot = (await store.read()).versions;
    expect(hot.map((v) => v.imageTag)).toEqual(['v5', 'v6', 'v7']);
    expect((await store.allVersions('callbot')).map((v) => v.imageTag)).toEqual(['v7', 'v6', 'v5', 'v4', 'v3', 'v2', 'v1', 'v0']);
    expect(await store.isImageArchived(input('callbot', 'v0').fullImageName)).toBe(true);
    await expect(registerVersion(core, input('callbot', 'v0'))).rejects.toThrow(/already registered/);
    const objects = await target.kubectl(['-n', namespace, 'get', 'configmaps', '-l', 'ecp.dev/kind=version', '-o', 'name']);
    expect(objects.stdout.trim().split('\n')).toHaveLength(3);
    const v1 = (await store.allVersions('callbot')).find((v) => v.imageTag === 'v1')!;
    expect(await store.findVersion(v1.id)).toEqual({ version: v1, archived: true });
  }, 120_000);

  it('shows a unit a writer committed but did not roll forward (it died) as applied, and the writer that pushes it out of the head completes it', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace);
    const core = teamCore(store);
    await registerVersion(core, input('callbot', 'v1'));
    // What a writer killed right after its commit leaves: the unit in the head, no objects written.
    const head = parseHead(await store.objects.read(HEAD_NAME));
    const version = { ...(await store.read()).versions[0]!, id: 'callbot-v2-died', imageTag: 'v2', fullImageName: input('callbot', 'v2').fullImageName };
    const line = JSON.stringify({ at: new Date().toISOString(), actor: 'dead@example.com', action: 'version.register', target: version.id, details: {}, prev: head.head.hash });
    await store.units.writeHead(
      {
        count: head.head.count + 1,
        hash: sha256(line),
        recent: ['died', ...head.head.recent],
        tail: [...head.head.tail, line],
        tailFrom: head.head.tailFrom,
        unit: {
          id: 'died',
          summary: 'version.register',
          writes: [{ op: 'create', name: `ecp-version-${version.id}`, labels: { 'ecp.dev/kind': 'version' }, data: { record: JSON.stringify(version) } }],
        },
      },
      head.resourceVersion,
    );
    expect((await store.read()).versions.map((v) => v.id)).toContain('callbot-v2-died');
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 2 });
    expect((await target.kubectl(['-n', namespace, 'get', 'configmap', 'ecp-version-callbot-v2-died'])).code).not.toBe(0);

    // The unit stays in the head for the next KEPT_UNITS changes, still shown; the change that pushes it out applies it first...
    for (let i = 0; i < KEPT_UNITS; i++) {
      await registerVersion(core, input('callbot', `v${3 + i}`));
      expect((await store.read()).versions.map((v) => v.id)).toContain('callbot-v2-died');
    }
    // ...by a change prepared on a list (a process that reuses its snapshot lists again within 10 s).
    await registerVersion(teamCore(openTeamStore(target, namespace)), input('callbot', 'v9'));
    expect((await target.kubectl(['-n', namespace, 'get', 'configmap', 'ecp-version-callbot-v2-died'])).code).toBe(0);
    expect(headUnits(parseHead(await store.objects.read(HEAD_NAME)).head).map((u) => u.id)).not.toContain('died');
    expect((await store.read()).versions.map((v) => v.id)).toContain('callbot-v2-died');
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 3 + KEPT_UNITS });
  }, 120_000);

  it('lets a unit its writer rolled forward leave the head, though the other writers cannot tell', async () => {
    const namespace = await storeNamespace(target);
    await registerVersion(teamCore(openTeamStore(target, namespace)), input('seed', 'v0'));
    // Three writers at once, each on snapshots rebuilt from the head (not listed), which cannot show another writer's unit applied.
    await Promise.all(
      [0, 1, 2].map(async (w) => {
        const core = teamCore(openTeamStore(target, namespace), `ops${w}@example.com`);
        for (let i = 0; i < 8; i++) await registerVersion(core, input(`svc${w}`, `v${i}`));
      }),
    );
    const { head } = parseHead(await openTeamStore(target, namespace).objects.read(HEAD_NAME));
    // The newest unit, the KEPT_UNITS before it, and at most the other two writers' last ones, not yet said applied.
    expect(headUnits(head).length).toBeLessThanOrEqual(KEPT_UNITS + 3);
    const data = await openTeamStore(target, namespace).read();
    expect(data.versions).toHaveLength(25);
    const listed = await target.kubectl(['-n', namespace, 'get', 'configmap', '-l', 'ecp.dev/kind=version', '-o', 'name']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(25);
  });

  it('audit verify finds an edited event, a removed one, and a removed last one', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace);
    const core = teamCore(store);
    for (let i = 1; i <= 4; i++) await registerVersion(core, input('callbot', `v${i}`));
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 4 });
    // The four events are the head's tail: rewrite it as someone with write access to the namespace could.
    const rewriteTail = async (edit: (tail: string[]) => string[]) => {
      const head = parseHead(await store.objects.read(HEAD_NAME));
      await store.units.writeHead({ ...head.head, tail: edit([...head.head.tail]) }, head.resourceVersion);
    };
    const original = parseHead(await store.objects.read(HEAD_NAME)).head.tail;

    await rewriteTail((tail) => tail.map((l, i) => (i === 1 ? l.replace('ops@example.com', 'someone@else.com') : l)));
    expect(await store.audit.verify()).toMatchObject({ ok: false, line: 3, message: expect.stringMatching(/event 3 does not follow the event before it/) });

    await rewriteTail(() => original.filter((_, i) => i !== 1));
    expect(await store.audit.verify()).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/event 2 does not follow the event before it/) });
    await rewriteTail(() => original);
    expect(await store.audit.verify()).toMatchObject({ ok: true });

    await rewriteTail(() => original.slice(0, 3));
    expect(await store.audit.verify()).toMatchObject({ ok: false, line: 4, message: expect.stringMatching(/event 4 is missing: the head object ecp-head counts 4 events/) });
  }, 120_000);

  it('says in one sentence that the namespace is missing, for a write and for a Lease, and runs nothing', async () => {
    const store = openTeamStore(target, 'ecp-store-not-there');
    const missing = /^The team store's namespace ecp-store-not-there does not exist on .*; create it \(kubectl create namespace ecp-store-not-there\); nothing changed\.$/;
    await expect(registerVersion(teamCore(store), input('callbot', 'v1'))).rejects.toThrow(missing);
    let ran = false;
    await expect(
      store.holdService('acme', 'callbot', { action: 'deploy', actor: 'ops@example.com' }, async () => {
        ran = true;
      }),
    ).rejects.toThrow(missing);
    expect(ran).toBe(false);
  });

  it('passes a chain rewritten with its head, and finds it against an anchor kept outside (issue 19 item 7)', async () => {
    const namespace = await storeNamespace(target);
    const store = openTeamStore(target, namespace);
    const core = teamCore(store);
    for (let i = 1; i <= 3; i++) await registerVersion(core, input('callbot', `v${i}`));
    const head = parseHead(await store.objects.read(HEAD_NAME));
    const [event1, event2, event3] = head.head.tail as [string, string, string];
    // What a deploy tag made after event 2 carries: ecp-audit-head: 2 <its hash>.
    const anchor = { where: 'git tag deploy/acme/1', count: 2, hash: sha256(event2) };
    // Forge event 2 and re-chain event 3 and the head, as someone with write access to the namespace could.
    const forged2 = event2.replace('ops@example.com', 'mallory@example.com');
    const forged3 = JSON.stringify({ ...(JSON.parse(event3) as Record<string, unknown>), prev: sha256(forged2) });
    await store.units.writeHead({ ...head.head, tail: [event1, forged2, forged3], hash: sha256(forged3) }, head.resourceVersion);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 3 });
    expect(await store.audit.verify([anchor])).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/event 2 is not the event git tag deploy\/acme\/1 anchors/) });
  });
});
