/**
 * Manifest values come from js-yaml and the `yaml` Documents (positions, edits) are built only
 * when asked for: both readings must give the same values, lines, errors and warnings, and the
 * lazily built positions must be those of an eager `yaml` parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScalar, visit, type Document } from 'yaml';
import {
  buildDocuments,
  clearManifestCache,
  fastValues,
  imageNode,
  keyPositionOf,
  loadTenant,
  parseManifestText,
  positionOf,
  readBackImages,
  tenantFromFiles,
  type ManifestFile,
} from '../../source/adapters/manifests.js';
import { fixturesDir } from '../helpers/manifests.js';
import { seededRandom } from '../helpers/random.js';

const root = path.resolve(import.meta.dirname, '../..');
const config = { manifestsDir: fixturesDir, registry: 'localhost:5000', imagePrefix: 'ecp-ai' };

/** Every YAML file under test/ and k8s-manifests/. */
function yamlFixtures(): string[] {
  return ['test', 'k8s-manifests']
    .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => path.join(root, dir, f)))
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
}

/** What a parse tells its users, Documents aside. */
function summary(file: ManifestFile) {
  return {
    documents: file.documents.map((d) => ({ index: d.index, value: d.value, info: d.info, line: d.line, empty: d.empty })),
    errors: file.errors,
    warnings: file.warnings,
  };
}

function ranges(doc: Document.Parsed): unknown[] {
  const out: unknown[] = [];
  visit(doc, { Node: (_, node) => void out.push([(node as { range?: unknown }).range, isScalar(node) ? node.value : null]) });
  return out;
}

/** Same values, lines, errors and warnings as `yaml` alone, and the same Documents once built. */
function expectSameAsYaml(text: string): void {
  const lazy = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml');
  const eager = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml', { lazy: false });
  expect(summary(lazy), JSON.stringify(text)).toEqual(summary(eager));
  expect(lazy.lineCounter.lineStarts).toEqual(eager.lineCounter.lineStarts);
  for (const [i, d] of lazy.documents.entries()) expect(ranges(d.doc)).toEqual(ranges(eager.documents[i]!.doc));
}

describe('manifest values from js-yaml, Documents from yaml on demand', () => {
  it('reads every fixture under test/ and k8s-manifests/ to the same values, lines, errors and warnings as yaml', () => {
    const files = yamlFixtures();
    expect(files.length).toBeGreaterThan(10);
    const slow: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (!fastValues(text)) slow.push(path.relative(root, f));
      expectSameAsYaml(text);
    }
    // The comparison means something only when js-yaml reads them: none needs `yaml` today (a
    // fixture with anchors, tags, ... would: list it here).
    expect(slow).toEqual([]);
  });

  it.each([
    ['booleans', 'js-yaml', 'a: [true, True, TRUE, false, yes, no, on, off, y, n]'],
    ['null', 'js-yaml', 'a:\n  - ~\n  - null\n  - Null\n  - NULL\n  - nil\n  - ""\nb:\nc: ~\nd: {e: null}'],
    ['null in flow sequences', 'yaml', 'a: [~, null, Null, NULL, nil, ""]'],
    ['integers', 'js-yaml', 'a: [0, -0, +12, 017, 0o17, 0x1F, 1_000, 0b101, -0x1F, 9007199254740993, 00]'],
    ['floats', 'js-yaml', 'a: [1.5, 1., .5, -.5, +.5, 1e3, 1.5e+3, 12e03, 1e400, .inf, -.Inf, +.INF, .nan, .NaN, 0.1_0]'],
    ['timestamps stay strings', 'js-yaml', 'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 12:30:00'],
    ['quoted scalars', 'js-yaml', `a: "\\x41\\u00e9\\t\\"\\\\ \\/"\nb: 'it''s'\nc: "#x" # c\nd: ''`],
    ['block scalars', 'js-yaml', 'a: |\n  x\n  y\nb: >-\n  x\n  y\n\nc: >\n  a\n  b\n\n  c\n   d\n  e\nd: |\n  x'],
    ['plain multi-line scalars', 'js-yaml', 'a: plain\n  continued\n\n  more\nb: x #c\nc: y#z'],
    ['keys that are not strings', 'js-yaml', '1: a\n2.5: b\ntrue: c\n.inf: d\n0x10: e\n-0: f'],
    ['__proto__ and constructor keys', 'js-yaml', '__proto__: {x: 1}\nconstructor: 2\ntoString: 3'],
    ['flow collections', 'js-yaml', 'a: [b, {c: d}, "e", [1, 2,], {f: [g]}]\nb: {}\nc: []\nd: {"json": 1, "k":"v", x: y}'],
    ['JSON', 'js-yaml', '{"a":1,"b":[true,false,1.5,"x",{"c":[]}]}'],
    ['JSON with null', 'js-yaml', '{"a":null}'],
    ['compact nested sequences', 'js-yaml', '- - a\n  - b\n- c\n- - - d'],
    ['documents', 'js-yaml', 'a: 1\n---\nb: 2\n...\n---\nc: 3\n'],
    ['a leading --- and comments', 'js-yaml', '# head\n---\n# doc\n\n  a: 1\n--- # c\nb: 2'],
    ['empty documents', 'yaml', '---\n---\na: 1\n---\n'],
    ['a document that is only a comment', 'yaml', 'a: 1\n---\n# c\n'],
    ['a file that is only a comment', 'yaml', '# nothing here\n'],
    ['an empty file', 'js-yaml', ''],
    ['a scalar document', 'yaml', '--- "x"\n--- |\n  y\n'],
    ['anchors, aliases and << (no merge keys in YAML 1.2)', 'yaml', 'x: &a {p: 1}\ny:\n  <<: *a\n  q: 2\nz: *a'],
    ['tags', 'yaml', 'a: !!str 1\nb: !!int "5"\nc: !custom x\nd: !!binary aGk=\ne: !!timestamp 2001-12-14'],
    ['directives', 'yaml', '%YAML 1.1\n---\na: yes\nb: 0b11\n'],
    ['null and empty keys', 'yaml', '~: a\nnull: b\n"null": c\n? : d\nx: {null, ~: 1, : 2}'],
    ['collection keys', 'yaml', '? [a, b]\n: c\n[d]: e\n{f: g}: h'],
    ['a flow collection ending at its parent indentation', 'yaml', 'a: [\n  1\n]\nb: {\n  c: 1\n}'],
    ['multi-line flow and quoted scalars', 'yaml', 'a: [1,\n  2]\nb: "x\n  y"\nc: \'p\n  q\'\nd: "\\\n  e"'],
    ['badly indented continuations', 'yaml', "a: '...\n'\nb: {\nx: 1}\n"],
    ['an empty sequence entry before a dedent', 'yaml', 'a:\n  - 1\n  -\n- 3'],
    ['keep chomping at the end of the file', 'yaml', 'k: >+\n  a\n\n  '],
    ['indentation indicators', 'yaml', 'a: |2\n   x\n  y\nb: |1\n  x'],
    ['a block scalar starting with a blank line', 'yaml', 'a: |\n  \n # y\n'],
    ['content on a --- line', 'yaml', '--- a: 1\n'],
    ['a comment without a space', 'yaml', 'a: "b"#c'],
    ['a # that starts no comment', 'yaml', ':#a: "\\\n`  b"'],
    ['a # in a plain scalar', 'js-yaml', 'a: b#c\nd: "#e"\nf: [g#h]'],
    ['an 8-digit escape', 'yaml', 'a: "\\U0001F600"\nb: "\\Ue0001F60"'],
    ['tabs', 'yaml', 'a:\tb\nc: "\t"\n'],
    ['CRLF line ends', 'yaml', 'a: 1\r\nb: |\r\n  x\r\n'],
    ['a byte order mark', 'yaml', '\ufeffa: 1'],
    ['Unicode line breaks', 'yaml', 'a: x\u2028y\nb: p\u0085q'],
    ['a long key', 'yaml', `${'k'.repeat(1100)}: v`],
    ['duplicate keys', 'yaml', 'a: 1\na: 2'],
    ['keys equal only as strings', 'yaml', '1: a\n"1": b'],
    ['a syntax error', 'yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a, b\n'],
    [
      'an alias bomb (maxAliasCount)',
      'yaml',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 5 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ).join('\n')}`,
    ],
  ])('%s: read by %s, same as yaml', (_name, by, text) => {
    expect(fastValues(text) ? 'js-yaml' : 'yaml').toBe(by);
    expectSameAsYaml(text);
  });

  it('leaves to yaml what js-yaml reads differently', () => {
    // Each of these parses with js-yaml without an error, to another value, line or document count.
    for (const text of ['a: 0b101', 'a: -0x1F', 'a: -.5', 'a: 1e400', 'a: 2001-12-14', '~: a', '? [a, b]\n: c', '# c\n', '---\n', 'a:\n  -\n- 3', 'k: >+\n  a\n\n  ']) {
      const fast = fastValues(text);
      const eager = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml', { lazy: false });
      if (fast)
        expect(
          fast.map((d) => d.value),
          text,
        ).toEqual(eager.documents.map((d) => d.value));
    }
    // The ones that need the patterns (0b101 and the like are handled by the schema instead).
    for (const text of ['~: a', '? [a, b]\n: c', '# c\n', '---\n', 'a:\n  -\n- 3', 'k: >+\n  a\n\n  ', 'x: &a 1\ny: *a', 'a: !!str 1', 'a: [\n  1\n]']) {
      expect(fastValues(text), text).toBeUndefined();
    }
    expect(fastValues('a: 1\n---\nb: [x, {y: z}]\n')).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { b: ['x', { y: 'z' }] }, line: 3 },
    ]);
  });

  it('agrees with yaml on mutated fixtures whenever js-yaml is trusted with them', () => {
    const seeds = yamlFixtures().map((f) => readFileSync(f, 'utf8'));
    const rnd = seededRandom(20260525);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const inserts = [
      ':',
      ': ',
      '-',
      '- ',
      '#',
      "'",
      '"',
      '[',
      ']',
      '{',
      '}',
      ',',
      '\n',
      ' ',
      '  ',
      '|',
      '>',
      '~',
      '.',
      '0',
      '1',
      'e',
      '+',
      '\\',
      '---\n',
      '\n---',
      '...\n',
      'null',
      '<<',
      '_',
      '@',
      '`',
    ];
    let trusted = 0;
    for (let n = 0; n < 1500; n += 1) {
      let text = pick(seeds);
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k -= 1) {
        const at = Math.floor(rnd() * (text.length + 1));
        const op = rnd();
        if (op < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
        else if (op < 0.8) text = text.slice(0, at) + pick(inserts) + text.slice(at);
        else {
          const lines = text.split('\n');
          const i = Math.floor(rnd() * lines.length);
          lines[i] = op < 0.9 ? lines[i]!.replace(/^ ?/, '') : ` ${lines[i]}`;
          text = lines.join('\n');
        }
      }
      const fast = fastValues(text);
      if (!fast) continue;
      trusted += 1;
      const eager = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml', { lazy: false });
      expect({ errors: eager.errors, warnings: eager.warnings }, text).toEqual({ errors: [], warnings: [] });
      expect(fast, text).toEqual(eager.documents.map((d) => ({ value: d.value, line: d.line })));
    }
    expect(trusted).toBeGreaterThan(300);
  });

  it('builds the Documents only when a position is asked for, and then gives the positions of an eager parse', async () => {
    clearManifestCache();
    const tenant = await loadTenant(config, 'acme');
    for (const file of tenant.files) {
      expect(Object.getOwnPropertyDescriptor(file, 'lineCounter')?.get).toBeTypeOf('function');
      for (const d of file.documents) expect(Object.getOwnPropertyDescriptor(d, 'doc')?.get).toBeTypeOf('function');
    }
    for (const w of tenant.workloads) for (const c of w.containers.filter((x) => x.image)) expect(Object.getOwnPropertyDescriptor(c, 'position')?.get).toBeTypeOf('function');

    const eagerFiles = tenant.files.map((f) => parseManifestText(f.text, f.path, f.file, { lazy: false }));
    const eager = tenantFromFiles(config, tenant.id, tenant.dir, eagerFiles);
    expect(tenant.workloads.map((w) => ({ ...w }))).toEqual(eager.workloads.map((w) => ({ ...w })));
    expect(tenant.services.map((s) => s.workloads.map((w) => w.own.map((c) => c.position)))).toEqual(eager.services.map((s) => s.workloads.map((w) => w.own.map((c) => c.position))));
    tenant.files.forEach((file, i) => {
      const other = eagerFiles[i]!;
      expect(file.lineCounter.lineStarts).toEqual(other.lineCounter.lineStarts);
      file.documents.forEach((d, j) => {
        const e = other.documents[j]!;
        expect(ranges(d.doc)).toEqual(ranges(e.doc));
        for (const p of [[], ['metadata', 'name'], ['spec', 'replicas'], ['spec', 'template', 'spec', 'containers', 0, 'image'], ['spec', 'nope', 'x']]) {
          expect(positionOf(file, d, p)).toEqual(positionOf(other, e, p));
          expect(keyPositionOf(file, d, p)).toEqual(keyPositionOf(other, e, p));
        }
      });
    });
    const callbot = tenant.services.find((s) => s.name === 'callbot')!.workloads[0]!;
    const file = tenant.files.find((f) => f.path === callbot.path)!;
    const eagerFile = eagerFiles.find((f) => f.path === callbot.path)!;
    const node = imageNode(file, file.documents[callbot.documentIndex]!, callbot.own[0]!);
    expect(node).toMatchObject({ ok: true, source: 'localhost:5000/ecp-ai/callbot:v1.0.0-aaaaaaa' });
    expect(node).toEqual(imageNode(eagerFile, eagerFile.documents[callbot.documentIndex]!, callbot.own[0]!));
  });

  it('finds an image scalar in the text, without the Documents, where the Documents find it; the edited text must read back as the edit', () => {
    const deployment = (containers: string) =>
      `# a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: callbot\n  annotations:\n    note: "image: x"\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
    const texts = [
      deployment('        - name: callbot\n          image: localhost:5000/ecp-ai/callbot:v1 # managed by ecp\n'),
      deployment('        - image: "localhost:5000/ecp-ai/callbot:v1"\n          name: callbot\n'),
      deployment("        - name: callbot\n          image:   'localhost:5000/ecp-ai/callbot:v1'   \n"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: localhost:5000/ecp-ai/callbot:v1\n---\n${deployment('        - name: callbot\n          image: localhost:5000/ecp-ai/callbot:v1\n')}`,
    ];
    for (const text of texts) {
      const lazy = parseManifestText(text, '/m/acme/callbot.yaml', 'acme/callbot.yaml');
      const eager = parseManifestText(text, '/m/acme/callbot.yaml', 'acme/callbot.yaml', { lazy: false });
      const service = tenantFromFiles(config, 'acme', '/m/acme', [lazy]).services[0]!.workloads[0]!;
      const node = imageNode(lazy, lazy.documents[service.documentIndex]!, service.own[0]!);
      expect(Object.getOwnPropertyDescriptor(lazy, 'lineCounter')?.get, text).toBeTypeOf('function'); // still not built
      expect(node, text).toEqual({ ...imageNode(eager, eager.documents[service.documentIndex]!, service.own[0]!), inText: true });
      // The edit reads back: the new text parsed, as a fresh parse of it gives it.
      const image = 'localhost:5000/ecp-ai/callbot:v2';
      const edit = { documentIndex: service.documentIndex, start: node.ok ? node.start : 0, end: node.ok ? node.end : 0, text: image, imagePath: service.own[0]!.imagePath, image };
      const after = `${text.slice(0, edit.start)}${image}${text.slice(edit.end)}`;
      const read = readBackImages(lazy, after, [edit]);
      expect(
        read?.documents.map((d) => [d.value, d.line]),
        text,
      ).toEqual(parseManifestText(after, lazy.path, lazy.file).documents.map((d) => [d.value, d.line]));
    }
    // The same image on two lines of the document (a sidecar of the same image): the Documents decide.
    const twice = parseManifestText(
      deployment('        - name: callbot\n          image: localhost:5000/ecp-ai/callbot:v1\n        - name: copy\n          image: localhost:5000/ecp-ai/callbot:v1\n'),
      '/m/acme/callbot.yaml',
      'acme/callbot.yaml',
    );
    const service = tenantFromFiles(config, 'acme', '/m/acme', [twice]).services[0]!.workloads[0]!;
    expect(imageNode(twice, twice.documents[0]!, service.own[1]!)).toMatchObject({ ok: true, line: 15 });
    expect(Object.getOwnPropertyDescriptor(twice, 'lineCounter')?.get).toBeUndefined(); // built to decide
    // The one `image:` line with that value is another field's (the container is in flow style): not taken.
    const elsewhere = parseManifestText(
      deployment('        - {name: callbot, image: localhost:5000/ecp-ai/callbot:v1}\n').replace('    note: "image: x"', '    image: localhost:5000/ecp-ai/callbot:v1'),
      '/m/acme/callbot.yaml',
      'acme/callbot.yaml',
    );
    const flow = tenantFromFiles(config, 'acme', '/m/acme', [elsewhere]).services[0]!.workloads[0]!;
    const inText = imageNode(elsewhere, elsewhere.documents[0]!, flow.own[0]!);
    expect(inText).toMatchObject({ ok: true, line: 7, inText: true });
    // Edited there, the text does not read back as the container's new image: the Documents decide.
    const image = 'localhost:5000/ecp-ai/callbot:v2';
    const edit = { documentIndex: 0, start: inText.ok ? inText.start : 0, end: inText.ok ? inText.end : 0, text: image, imagePath: flow.own[0]!.imagePath, image };
    expect(readBackImages(elsewhere, `${elsewhere.text.slice(0, edit.start)}${image}${elsewhere.text.slice(edit.end)}`, [edit])).toBeUndefined();
    buildDocuments(elsewhere);
    expect(imageNode(elsewhere, elsewhere.documents[0]!, flow.own[0]!)).toEqual({ ok: true, start: expect.any(Number), end: expect.any(Number), source: flow.own[0]!.image, line: 12, type: 'PLAIN' });
  });

  it('reports what js-yaml refuses with the file:line:column and message yaml gives', () => {
    for (const text of ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n', 'a: 1\nb: [1, 2\nc: 3\n', 'a:\n  b: 1\n c: 2\n']) {
      const file = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml');
      const eager = parseManifestText(text, '/x/t/a.yaml', 't/a.yaml', { lazy: false });
      expect(file.errors.length, text).toBeGreaterThan(0);
      expect(file.errors).toEqual(eager.errors);
    }
    const dup = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n', '/x/t/a.yaml', 't/a.yaml');
    expect(dup.errors[0]).toMatchObject({ line: 5, column: 3, code: 'DUPLICATE_KEY' });
  });
});
