/**
 * The team store's audit trail keeps its object count bounded (issue 16): the newest events are
 * the head's tail, older ones packed into archive objects of JSON lines by the same swap, and
 * `audit verify` still finds an edited, removed or reordered event inside an archive and across
 * an archive's boundary.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUDIT_ARCHIVE_KIND, EVENT_KIND } from '../../source/store/kubernetes/names.js';
import type { KubeStore } from '../../source/store/kubernetes/store.js';
import { AUDIT_TAIL_EVENTS } from '../../source/store/kubernetes/units.js';
import { type ClusterTarget, describeTargets, startTarget } from '../helpers/cluster-target.js';
import { openTeamStore, storeNamespace } from '../helpers/team-store.js';

// A few hundred events, in units that each fill the tail: the next one packs it into an archive.
const EVENTS = 20 * AUDIT_TAIL_EVENTS;
const PER_UNIT = AUDIT_TAIL_EVENTS;

describeTargets('the team store packs old audit events into archives', (kind) => {
  let target: ClusterTarget;
  let store: KubeStore;
  beforeAll(async () => {
    target = await startTarget(kind);
    store = openTeamStore(target, await storeNamespace(target));
    for (let n = 0; n < EVENTS; n += PER_UNIT) {
      await store.audit.appendMany(Array.from({ length: PER_UNIT }, (_, i) => ({ actor: `ops${(n + i) % 3}@example.com`, action: 'version.register', target: `callbot-v${n + i + 1}`, details: {} })));
    }
  }, 180_000);
  afterAll(async () => {
    await target?.stop();
  }, 180_000);

  const archive = async (first: number) => (await store.objects.read(`ecp-audit-archive-${String(first).padStart(10, '0')}`))!;
  /** Rewrites an archive's lines with `edit`, runs `check`, and puts the archive back as it was. */
  const tampered = async (first: number, edit: (lines: string[]) => string[], check: () => Promise<void>) => {
    const before = await archive(first);
    const lines = before.data.lines!.split('\n').slice(0, -1);
    const changed = await store.objects.replace(before.name, before.resourceVersion, before.labels, {
      lines: edit(lines)
        .map((l) => `${l}\n`)
        .join(''),
    });
    await check();
    await store.objects.replace(before.name, changed!.resourceVersion, before.labels, before.data);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: EVENTS });
  };

  it('keeps the newest events in the head and the older ones in archives, none an object of its own, and reads the whole trail in order', async () => {
    const archives = await store.objects.list(`ecp.dev/kind=${AUDIT_ARCHIVE_KIND}`);
    expect(archives.map((a) => a.name).sort()).toEqual(Array.from({ length: EVENTS / AUDIT_TAIL_EVENTS - 1 }, (_, i) => `ecp-audit-archive-${String(i * AUDIT_TAIL_EVENTS + 1).padStart(10, '0')}`));
    for (const a of archives) expect(Buffer.byteLength(a.data.lines!)).toBeLessThan(1024 * 1024);
    expect(await store.objects.list(`ecp.dev/kind=${EVENT_KIND}`)).toEqual([]);
    const events = await store.audit.list();
    expect(events.map((e) => e.target)).toEqual(Array.from({ length: EVENTS }, (_, i) => `callbot-v${i + 1}`));
    expect((await store.audit.list(5)).map((e) => e.target)).toEqual(events.slice(-5).map((e) => e.target));
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: EVENTS });
  });

  it('finds an archived event edited, removed or reordered, inside an archive and at its boundary, and a removed archive', async () => {
    const second = AUDIT_TAIL_EVENTS + 1;
    await tampered(
      1,
      (lines) => lines.map((l, i) => (i === 5 ? l.replace('callbot-v6', 'callbot-v6O') : l)),
      async () => {
        expect(await store.audit.verify()).toMatchObject({ ok: false, line: 7, message: expect.stringMatching(/event 7 does not follow the event before it/) });
      },
    );
    // The last event of the first archive: the first event of the next archive no longer follows it.
    await tampered(
      1,
      (lines) => lines.map((l, i) => (i === lines.length - 1 ? l.replace('ops', 'mallory') : l)),
      async () => {
        expect(await store.audit.verify()).toMatchObject({ ok: false, line: second, message: expect.stringMatching(new RegExp(`event ${second} does not follow the event before it`)) });
      },
    );
    await tampered(
      1,
      (lines) => [...lines.slice(0, 10), lines[11]!, lines[10]!, ...lines.slice(12)],
      async () => {
        expect(await store.audit.verify()).toMatchObject({ ok: false, line: 11, message: expect.stringMatching(/event 11 does not follow the event before it/) });
      },
    );
    await tampered(
      second,
      (lines) => lines.slice(0, -1),
      async () => {
        expect(await store.audit.verify()).toMatchObject({ ok: false, line: 2 * AUDIT_TAIL_EVENTS, message: expect.stringMatching(/is missing \(the next event stored is/) });
      },
    );
    const whole = await archive(second);
    await store.objects.remove(whole.name, whole.resourceVersion);
    expect(await store.audit.verify()).toMatchObject({
      ok: false,
      line: second,
      message: expect.stringMatching(new RegExp(`event ${second} is missing \\(the next event stored is ${2 * AUDIT_TAIL_EVENTS + 1}\\)`)),
    });
    await store.objects.create(whole.name, whole.labels, whole.data);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: EVENTS });
  });
});
