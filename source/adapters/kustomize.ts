/**
 * Kustomize overlays (issue 20): a tenant folder holding a kustomization.yaml is rendered with
 * `kustomize build` when that is on PATH, else with `kubectl kustomize` (kubectl embeds
 * kustomize). Also the one edit ecp makes to an overlay: its own `images:` entry for an image,
 * written in place (`newTag`, or `digest` when the entry pins one) or added when missing, every
 * other byte kept.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type LineCounter, type Scalar, type YAMLMap } from 'yaml';
import { renderLike, type TextEdit } from '../domain/manifest-update.js';

/** The names kustomize reads a kustomization from (the extensionless `Kustomization` is not a YAML file to ecp). */
export const KUSTOMIZATION_FILES: readonly string[] = ['kustomization.yaml', 'kustomization.yml'];

export type KustomizeTool = 'kustomize build' | 'kubectl kustomize';

export type RenderResult = { ok: true; tool: KustomizeTool; text: string } | { ok: false; tool?: KustomizeTool; reason: string };

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Renders an overlay folder; never throws (a failure is one sentence with kustomize's message). */
export async function renderKustomization(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<RenderResult> {
  const kustomize = onPath('kustomize', env);
  const kubectl = kustomize ? undefined : onPath('kubectl', env);
  if (!kustomize && !kubectl) {
    return { ok: false, reason: 'neither kustomize nor kubectl is on PATH, and a Kustomize overlay cannot be read without one (install kubectl, which embeds kustomize)' };
  }
  const tool: KustomizeTool = kustomize ? 'kustomize build' : 'kubectl kustomize';
  const [command, args] = kustomize ? [kustomize, ['build', dir]] : [kubectl!, ['kustomize', dir]];
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000, env }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, tool, text: stdout });
      // kubectl wraps kustomize's message in a klog line: `E1201 … "command failed" err="…"`.
      const text = (stderr || error.message).trim();
      const said = (/ err="(.*)"\s*$/s.exec(text)?.[1]?.replace(/\\"/g, '"') ?? text).replace(/^error:\s*/i, '').replace(/\s+/g, ' ');
      resolve({ ok: false, tool, reason: `${tool} failed: ${said}` });
    });
  });
}

/** The overlay's `namespace:`, when it sets one. */
export function kustomizationNamespace(doc: Document.Parsed | undefined): string | undefined {
  const value = doc?.get('namespace');
  return typeof value === 'string' ? value : undefined;
}

interface ImageEntry {
  item: YAMLMap;
  /** The repository the entry produces in the rendered objects: newName, else name. */
  repository: string;
}

function imageEntries(doc: Document.Parsed): ImageEntry[] {
  const images = doc.get('images', true);
  if (!isSeq(images)) return [];
  return images.items.filter(isMap).flatMap((item) => {
    const name = item.get('name');
    const newName = item.get('newName');
    const repository = typeof newName === 'string' ? newName : name;
    return typeof repository === 'string' ? [{ item, repository }] : [];
  });
}

/** The line of the overlay's `images:` entry for a repository (its `newTag`, `digest` or `name`), or undefined. */
export function imageEntryLine(doc: Document.Parsed, lineCounter: LineCounter, repository: string): number | undefined {
  const entry = imageEntries(doc).find((e) => e.repository === repository);
  if (!entry) return undefined;
  const node = (entry.item.get('digest', true) ?? entry.item.get('newTag', true) ?? entry.item.get('name', true)) as Scalar | undefined;
  return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
}

export interface ImageTarget {
  repository: string;
  tag: string;
  /** The registered digest of the version, for entries pinned by digest. */
  digest?: string;
}

/** A tag in the style of the value it replaces; one that YAML would read as a number is quoted (kustomize wants a string). */
const tagText = (type: string, value: string) => (type === 'PLAIN' && value.trim() !== '' && !Number.isNaN(Number(value)) ? JSON.stringify(value) : renderLike(type, value));

const lineEnd = (text: string, offset: number) => {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
};
const column = (lineCounter: LineCounter, offset: number) => lineCounter.linePos(offset).col - 1;

/**
 * The text edits that make the overlay's `images:` say each target: the entry's newTag (or digest)
 * replaced in its own style, a newTag line added under an entry without one, entries appended
 * for images the overlay has none for. A reason instead when it cannot be edited in place.
 */
export function kustomizationImageEdits(
  text: string,
  doc: Document.Parsed,
  lineCounter: LineCounter,
  targets: readonly ImageTarget[],
): { ok: true; edits: TextEdit[] } | { ok: false; reason: string } {
  const entries = imageEntries(doc);
  const edits: TextEdit[] = [];
  const missing: ImageTarget[] = [];
  for (const target of targets) {
    const entry = entries.find((e) => e.repository === target.repository);
    if (!entry) {
      missing.push(target);
      continue;
    }
    if (entry.item.flow) return { ok: false, reason: `its images: entry for ${target.repository} is a flow mapping ({...}); edit it by hand` };
    const digest = entry.item.get('digest', true);
    const field = digest !== undefined ? 'digest' : 'newTag';
    const value = field === 'digest' ? target.digest : target.tag;
    if (value === undefined) return { ok: false, reason: `its images: entry for ${target.repository} pins a digest, and the version has no registered digest` };
    const node = entry.item.get(field, true);
    if (node !== undefined) {
      if (!isScalar(node) || !node.range) return { ok: false, reason: `its images: entry for ${target.repository} has a ${field} that is not a plain value` };
      if (String(node.value) !== value) edits.push({ start: node.range[0], end: node.range[1], text: tagText(String(node.type ?? 'PLAIN'), value) });
      continue;
    }
    // No newTag yet: a line under the entry's name, at its indentation.
    const name = entry.item.items.find((pair) => isScalar(pair.key) && pair.key.value === 'name');
    const key = name?.key as Scalar | undefined;
    if (!key?.range) return { ok: false, reason: `its images: entry for ${target.repository} has no name line to add a newTag under` };
    const at = lineEnd(text, (name!.value as Scalar).range?.[1] ?? key.range[1]);
    edits.push({ start: at, end: at, text: `\n${' '.repeat(column(lineCounter, key.range[0]))}newTag: ${tagText('PLAIN', target.tag)}` });
  }
  if (missing.length > 0) {
    const images = doc.get('images', true);
    const entry = (indent: string, t: ImageTarget) => `${indent}- name: ${renderLike('PLAIN', t.repository)}\n${indent}  newTag: ${tagText('PLAIN', t.tag)}`;
    if (isSeq(images) && images.items.length > 0 && !images.flow) {
      const first = images.items[0] as { range?: [number, number, number] };
      const last = images.items[images.items.length - 1] as { range?: [number, number, number] };
      if (!first.range || !last.range) return { ok: false, reason: 'its images: list cannot be located; edit it by hand' };
      // The `- ` indicator sits two columns before the first item's content.
      const indent = ' '.repeat(Math.max(0, column(lineCounter, first.range[0]) - 2));
      const at = lineEnd(text, last.range[1] - 1);
      edits.push({ start: at, end: at, text: missing.map((t) => `\n${entry(indent, t)}`).join('') });
    } else if (images === undefined) {
      const end = text.length;
      const lead = text.endsWith('\n') || text.length === 0 ? '' : '\n';
      edits.push({ start: end, end, text: `${lead}images:\n${missing.map((t) => entry('', t)).join('\n')}\n` });
    } else {
      return { ok: false, reason: 'its images: is not a block list of entries; edit it by hand' };
    }
  }
  return { ok: true, edits };
}

/** Reads an edited overlay back: the tag (or digest) its images: entry gives a repository, and that entry's line. */
export function readImageEntry(text: string, repository: string): { newTag?: string; digest?: string; line?: number } {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const entry = imageEntries(doc as Document.Parsed).find((e) => e.repository === repository);
  if (!entry) return {};
  const newTag = entry.item.get('newTag');
  const digest = entry.item.get('digest');
  const node = (entry.item.get('digest', true) ?? entry.item.get('newTag', true)) as Scalar | undefined;
  const line = node?.range ? text.slice(0, node.range[0]).split('\n').length : undefined;
  return { newTag: typeof newTag === 'string' ? newTag : newTag === undefined ? undefined : String(newTag), digest: typeof digest === 'string' ? digest : undefined, line };
}
