/** The pure parts of the sandbox: patch directives, selectors, ages, field paths. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFields, encodeFields, leavesOf, removePath } from '../../source/sandbox/fieldset.js';
import { shareEqualParts, timestamp, type JsonObject } from '../../source/sandbox/json.js';
import { jsonPatch, mergePatch, strategicMerge } from '../../source/sandbox/patch.js';
import { formatSelector, fromSelectorObject, matchesLabels, parseLabelSelector } from '../../source/sandbox/selectors.js';
import { readManifests } from '../../source/sandbox/seed.js';
import { humanDuration } from '../../source/sandbox/table.js';

describe('strategic merge directives', () => {
  it('merges container ports by containerPort and keeps $setElementOrder order', () => {
    const original: JsonObject = { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'b' }] };
    const patched = strategicMerge(original, {
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
      containers: [{ name: 'a', ports: [{ containerPort: 443, name: 'https' }] }],
    });
    expect(patched).toEqual({
      containers: [
        { name: 'b' },
        {
          name: 'a',
          ports: [
            { containerPort: 80, name: 'http' },
            { containerPort: 443, name: 'https' },
          ],
        },
      ],
    });
  });

  it('honours $patch: replace on maps and lists, $retainKeys and $deleteFromPrimitiveList', () => {
    const original = {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      selector: { matchLabels: { a: '1', b: '2' } },
      env: [{ name: 'X', value: '1' }],
      finalizers: ['one', 'two'],
    };
    const patched = strategicMerge(original, {
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
      selector: { $patch: 'replace', matchLabels: { c: '3' } },
      env: [{ $patch: 'replace' }, { name: 'Y', value: '2' }],
      '$deleteFromPrimitiveList/finalizers': ['one'],
    });
    expect(patched).toEqual({ strategy: { type: 'Recreate' }, selector: { matchLabels: { c: '3' } }, env: [{ name: 'Y', value: '2' }], finalizers: ['two'] });
    expect(strategicMerge(original, { $patch: 'delete' })).toBeUndefined();
  });

  it('merge patch replaces lists whole', () => {
    expect(mergePatch({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } })).toEqual({ a: [3], b: { c: 1, d: 2 } });
  });
});

describe('JSON patch', () => {
  it('unescapes ~1 and ~0 in paths', () => {
    const doc = { metadata: { annotations: { 'a/b': 'x', 'c~d': 'y' } } };
    expect(
      jsonPatch(doc, [
        { op: 'remove', path: '/metadata/annotations/a~1b' },
        { op: 'replace', path: '/metadata/annotations/c~0d', value: 'z' },
      ]),
    ).toEqual({
      metadata: { annotations: { 'c~d': 'z' } },
    });
  });

  it('fails with the op and the path', () => {
    expect(() => jsonPatch({ a: [] }, [{ op: 'add', path: '/a/3', value: 1 }])).toThrow('add: index out of range at /a/3');
    expect(() => jsonPatch({}, [{ op: 'remove', path: '/x/y' }])).toThrow('remove: missing path /x/y');
    expect(() => jsonPatch({}, [{ op: 'frobnicate', path: '/x' }])).toThrow('Unexpected kind: frobnicate');
  });
});

describe('selectors', () => {
  it('parses and matches every operator, and formats LabelSelector objects as kubectl does', () => {
    const sel = parseLabelSelector('env in (prod, stage),tier!=db,owner,!legacy');
    expect(matchesLabels(sel, { env: 'prod', tier: 'web', owner: 'x' })).toBe(true);
    expect(matchesLabels(sel, { env: 'prod', tier: 'db', owner: 'x' })).toBe(false);
    expect(matchesLabels(sel, { env: 'prod', owner: 'x', legacy: 'y' })).toBe(false);
    expect(() => parseLabelSelector('a in b')).toThrow(/unable to parse requirement/);
    expect(formatSelector(fromSelectorObject({ matchLabels: { z: '1', a: '2' }, matchExpressions: [{ key: 'm', operator: 'In', values: ['y', 'x'] }] }))).toBe('a=2,m in (x,y),z=1');
  });
});

describe('ages', () => {
  it('prints durations like kubectl', () => {
    const s = 1000;
    expect([59 * s, 119 * s, 125 * s, 600 * s, 3 * 3600 * s + 5 * 60 * s, 9 * 3600 * s, 3 * 86400 * s + 3600 * s, 400 * 86400 * s, 800 * 86400 * s].map(humanDuration)).toEqual([
      '59s',
      '119s',
      '2m5s',
      '10m',
      '3h5m',
      '9h',
      '3d1h',
      '400d',
      '2y70d',
    ]);
  });
});

describe('field paths', () => {
  it('round-trips fieldsV1, and removing a keyed item key removes the item', () => {
    const obj = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
        replicas: 2,
      },
      metadata: { name: 'x', labels: { app: 'x' } },
    };
    const leaves = leavesOf(obj, 'main');
    expect([...leaves.keys()].sort()).toEqual([
      '.metadata.labels.app',
      '.spec.containers[name="a"].image',
      '.spec.containers[name="a"].name',
      '.spec.containers[name="b"].image',
      '.spec.containers[name="b"].name',
      '.spec.replicas',
    ]);
    const encoded = encodeFields([...leaves.values()].map((l) => l.segments));
    expect(encoded['f:spec']).toEqual({
      'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} }, 'k:{"name":"b"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
      'f:replicas': {},
    });
    const decoded = decodeFields(encoded);
    expect([...decoded.keys()].sort()).toEqual([...leaves.keys()].sort());
    removePath(obj, decoded.get('.spec.containers[name="b"].name')!);
    expect(obj.spec.containers).toEqual([{ name: 'a', image: 'a:1' }]);
  });
});

describe('seed manifests', () => {
  const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
  const withFile = (text: string, check: (dir: string) => void) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ecp-seed-test-'));
    try {
      mkdirSync(path.join(dir, 'team'));
      writeFileSync(path.join(dir, 'team', 'all.yaml'), text);
      check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("reads every document of a file, in order, into its folder's namespace", () => {
    withFile([configMap('a'), configMap('b'), configMap('c')].join('---\n'), (dir) => {
      expect(readManifests(dir).map((s) => [s.namespace, s.object.metadata.name])).toEqual([
        ['team', 'a'],
        ['team', 'b'],
        ['team', 'c'],
      ]);
    });
  });

  it('refuses a file with a broken document, naming the file, the line and the column', () => {
    withFile(`${configMap('a')}---\n${configMap('[b')}---\n${configMap('c')}`, (dir) => {
      expect(() => readManifests(dir)).toThrow(/team\/all\.yaml: Flow sequence in block collection must be sufficiently indented and end with a \] at line \d+, column \d+:/);
    });
  });
});

describe('successive states', () => {
  it('share what did not change, keep what did, and say whether all of it is the same', () => {
    const previous: JsonObject = {
      metadata: { name: 'web', resourceVersion: '7', labels: { app: 'web', tier: 'front' } },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:1' },
              { name: 'log', image: 'log:1' },
            ],
          },
        },
      },
      status: { replicas: 1 },
    };
    const next: JsonObject = {
      metadata: { name: 'web', resourceVersion: '8', labels: { tier: 'front', app: 'web' } },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'log', image: 'log:1' },
            ],
          },
        },
      },
      status: { replicas: 1 },
    };
    const text = JSON.stringify(next);
    expect(shareEqualParts(next, previous)).toBe(false);
    expect(JSON.stringify(next)).toBe(text);
    const containers = (next as any).spec.template.spec.containers;
    expect(containers[1]).toBe((previous as any).spec.template.spec.containers[1]);
    expect(containers[0]).not.toBe((previous as any).spec.template.spec.containers[0]);
    expect(next.status).toBe(previous.status);
    // The same labels in another order stay next's own, so the text is unchanged.
    expect((next as any).metadata.labels).not.toBe((previous as any).metadata.labels);

    const again = JSON.parse(JSON.stringify(previous)) as JsonObject;
    expect(shareEqualParts(again, previous)).toBe(true);
    expect(shareEqualParts({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(shareEqualParts([1, 2], [1])).toBe(false);
  });
});

describe('timestamps', () => {
  it('are RFC 3339 with whole seconds, whichever second came before', () => {
    expect(timestamp(1_700_000_000_500)).toBe('2023-11-14T22:13:20Z');
    expect(timestamp(1_700_000_000_999)).toBe('2023-11-14T22:13:20Z');
    expect(timestamp(1_700_000_001_000)).toBe('2023-11-14T22:13:21Z');
    expect(timestamp(1_700_000_000_000)).toBe('2023-11-14T22:13:20Z');
  });
});
