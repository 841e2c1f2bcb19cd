/** The one edit ecp makes to a Kustomize overlay, over kustomization texts: in place, every other byte kept. */
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { kustomizationImageEdits, readImageEntry, type ImageTarget } from '../../source/adapters/kustomize.js';
import { applyEdits } from '../../source/domain/manifest-update.js';

const repo = 'localhost:5000/ecp-ai/callbot';
const digest = `sha256:${'c'.repeat(64)}`;

function edit(text: string, targets: ImageTarget[]) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter }) as Document.Parsed;
  const planned = kustomizationImageEdits(text, doc, lineCounter, targets);
  return planned.ok ? { ok: true as const, after: applyEdits(text, planned.edits) } : planned;
}

describe("a kustomization's images: entry", () => {
  it("replaces a digest pin with the version's digest, and refuses when the version has none", () => {
    const text = `images:\n  - name: ${repo}\n    digest: sha256:${'a'.repeat(64)} # pinned by Image Updater\n`;
    const done = edit(text, [{ repository: repo, tag: 'v2', digest }]);
    expect(done).toEqual({ ok: true, after: `images:\n  - name: ${repo}\n    digest: ${digest} # pinned by Image Updater\n` });
    expect(edit(text, [{ repository: repo, tag: 'v2' }])).toMatchObject({ ok: false, reason: expect.stringMatching(/pins a digest, and the version has no registered digest/) });
  });

  it('adds a newTag line under an entry that has only a name, and quotes a tag YAML would read as a number', () => {
    const text = `resources: [../../base]\nimages:\n- name: ${repo}   # no tag yet\n- name: redis\n  newTag: "7"\n`;
    const done = edit(text, [{ repository: repo, tag: '1.10' }]);
    expect(done).toEqual({ ok: true, after: `resources: [../../base]\nimages:\n- name: ${repo}   # no tag yet\n  newTag: "1.10"\n- name: redis\n  newTag: "7"\n` });
    if (done.ok) expect(readImageEntry(done.after, repo)).toEqual({ newTag: '1.10', line: 4 });
  });

  it('matches an entry by its newName, and refuses a flow mapping it cannot edit in place', () => {
    const renamed = `images:\n  - name: callbot\n    newName: ${repo}\n    newTag: v1\n`;
    expect(edit(renamed, [{ repository: repo, tag: 'v2' }])).toEqual({ ok: true, after: renamed.replace('newTag: v1', 'newTag: v2') });
    expect(edit(`images:\n  - {name: ${repo}, newTag: v1}\n`, [{ repository: repo, tag: 'v2' }])).toMatchObject({ ok: false, reason: expect.stringMatching(/flow mapping/) });
  });

  it('appends an images: list to an overlay without one', () => {
    expect(edit('namespace: tenant-c\nresources:\n  - ../../base', [{ repository: repo, tag: 'v2' }])).toEqual({
      ok: true,
      after: `namespace: tenant-c\nresources:\n  - ../../base\nimages:\n- name: ${repo}\n  newTag: v2\n`,
    });
  });
});
