/**
 * Tenants' manifests on disk (DESIGN §2, §9): k8s-manifests/<tenant>/*.yaml|*.yml, each a
 * multi-document YAML file. The `yaml` Document API keeps, with a line counter, where every
 * object, field and image is, so it can be traced to its file:line and edited in place; but only
 * validate (problem positions) and update-manifests (edits) need that, and it costs ten times
 * what the plain values cost. So a file's values come from js-yaml, and its Documents (`doc`,
 * `lineCounter`, container `position`s) are built with `yaml` when first asked for (see
 * `fastValues` for when js-yaml is not trusted and `yaml` parses the file at once). The tenant id
 * is checked before any path is built from it.
 */
import { isUtf8 } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FAILSAFE_SCHEMA, loadAll, Type } from 'js-yaml';
import { isAlias, isNode, isScalar, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import type { Config } from '../config.js';
import {
  checkTenantId,
  effectiveNamespace,
  mainContainer,
  objectInfo,
  ownContainers,
  servicesOf,
  serviceRepositoryOf,
  tenantNamespace,
  TenantIdError,
  workloadInfo,
  type ContainerInfo,
  type ObjectInfo,
  type WorkloadInfo,
  type NamespaceSource,
  type WorkloadKind,
  type YamlPath,
} from '../domain/manifest-model.js';
import { imageEntryLine, KUSTOMIZATION_FILES, kustomizationNamespace, renderKustomization, type KustomizeTool } from './kustomize.js';
import { isDns1123Label } from '../domain/names.js';
import { UsageError } from '../errors.js';

export type ManifestConfig = Pick<Config, 'manifestsDir' | 'registry' | 'imagePrefix'> & Partial<Pick<Config, 'serviceImages'>>;

export interface Position {
  line: number;
  column: number;
}

export interface YamlIssue extends Position {
  message: string;
  code: string;
}

export interface ManifestDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** The `yaml` Document (built on first use when the values came from js-yaml). */
  doc: Document.Parsed;
  /** The document as plain data (undefined for an empty document or one that did not parse). */
  value: unknown;
  info: ObjectInfo;
  /** First line of the document's content (1-based). */
  line: number;
  empty: boolean;
}

export interface ManifestFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the manifests folder, e.g. `acme-prod/services.yaml`. */
  file: string;
  text: string;
  /** Offsets to lines of `text` (built with the Documents, on first use). */
  lineCounter: LineCounter;
  documents: ManifestDocument[];
  errors: YamlIssue[];
  warnings: YamlIssue[];
}

export interface ContainerRef extends ContainerInfo {
  /**
   * Line and column of the image value (undefined when the container has no image); computed
   * on first read, which builds the file's Documents.
   */
  position?: Position;
}

/** A Deployment or StatefulSet of a tenant. */
export interface Workload {
  name: string;
  kind: WorkloadKind;
  /** Where it lands: metadata.namespace, else the tenant's namespace. */
  namespace: string;
  /** metadata.namespace as written. */
  declaredNamespace?: string;
  /** Absolute path of its file. */
  path: string;
  /** Path relative to the manifests folder. */
  file: string;
  documentIndex: number;
  line: number;
  replicas?: number;
  containers: ContainerRef[];
}

/** One workload running a service: where the service's image is in it. */
export interface ServiceWorkload extends Workload {
  /** The main container's image as written, e.g. `localhost:5000/ecp-ai/callbot:v1`. */
  image: string;
  tag?: string;
  digest?: string;
  /** The containers that carry the service's image (main container first; init containers too). */
  own: ContainerRef[];
}

/** An ecp-managed service: an image repository, run by one or more workloads of the tenant. */
export interface ManifestService {
  name: string;
  /** The image repository that makes a container the service's. */
  repository: string;
  /** The workloads that run it, in file order (at least one). */
  workloads: ServiceWorkload[];
  /** The first workload's: what the service row shows. */
  namespace: string;
  image: string;
  tag?: string;
  digest?: string;
}

export interface Tenant {
  id: string;
  /** Absolute path of the tenant's folder. */
  dir: string;
  /** The tenant's namespace (the one Namespace object's name, else the tenant id). */
  namespace: string;
  namespaceSource: NamespaceSource;
  /** The files ecp reads and edits: the folder's YAML files; of a Kustomize overlay, its kustomization. */
  files: ManifestFile[];
  /** A Kustomize overlay: which tool rendered it and what it rendered (the tenant's objects). */
  kustomize?: { tool?: KustomizeTool; rendered: ManifestFile };
  /** Every Deployment and StatefulSet. */
  workloads: Workload[];
  /** The services ecp manages (images it recognises in the workloads), in order of first appearance. */
  services: ManifestService[];
}

const YAML_FILE = /\.ya?ml$/i;

export function tenantDir(config: Pick<Config, 'manifestsDir'>, tenantId: string): string {
  try {
    checkTenantId(tenantId);
  } catch (error) {
    if (error instanceof TenantIdError) throw new UsageError(error.message);
    throw error;
  }
  return path.join(config.manifestsDir, tenantId);
}

async function yamlFilesIn(dir: string): Promise<string[]> {
  // Synchronous, as the reads below: 200 small folders listed through the thread pool took
  // 6–24 ms, synchronously 1.5–2.3 ms (load 8), and --all lists each twice.
  const entries = readdirSync(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && YAML_FILE.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

export interface TenantFolder {
  id: string;
  dir: string;
  /** False for folders whose name is not a DNS-1123 label: they cannot be addressed as tenants. */
  valid: boolean;
}

/** Sub-folders of the manifests folder that hold YAML files, sorted by name. */
export async function listTenantFolders(config: Pick<Config, 'manifestsDir'>): Promise<TenantFolder[]> {
  if (!existsSync(config.manifestsDir)) {
    throw new UsageError(`The manifests folder ${config.manifestsDir} does not exist (K8S_MANIFESTS_DIR or manifestsDir).`);
  }
  const entries = await readdir(config.manifestsDir, { withFileTypes: true });
  const folders: TenantFolder[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(config.manifestsDir, entry.name);
    if ((await yamlFilesIn(dir)).length === 0) continue;
    folders.push({ id: entry.name, dir, valid: isDns1123Label(entry.name) });
  }
  return folders.sort((a, b) => a.id.localeCompare(b.id));
}

/** The tenant ids (valid folder names only). */
export async function listTenantIds(config: Pick<Config, 'manifestsDir'>): Promise<string[]> {
  return (await listTenantFolders(config)).filter((f) => f.valid).map((f) => f.id);
}

/**
 * Plain scalars resolved as `yaml` resolves them in its YAML 1.2 core schema (yaml 2.x,
 * schema/core and schema/common): js-yaml's own CORE_SCHEMA differs on a few (`0b101` and
 * `-0x1F` are numbers there, `-.5`, `+.5` and `1e400` strings) and its DEFAULT_SCHEMA adds
 * timestamps (Date objects), `<<` merge keys and `!!binary`/`!!set`/... that `yaml` 1.2 has not.
 */
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const CORE_INT = /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/;
const CORE_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;
const YAML_CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (s: string) => CORE_NULL.test(s), construct: () => null }),
    new Type('tag:yaml.org,2002:bool', { kind: 'scalar', resolve: (s: string) => CORE_BOOL.test(s), construct: (s: string) => s[0] === 't' || s[0] === 'T' }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string) => CORE_INT.test(s),
      construct: (s: string) => (s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10)),
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string) => CORE_FLOAT.test(s),
      construct: (s: string) => {
        const end = s.slice(-3).toLowerCase();
        if (end === 'nan') return Number.NaN;
        if (end === 'inf') return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        return parseFloat(s);
      },
    }),
  ],
});

/**
 * Texts js-yaml is not trusted with: what `yaml` reads differently, warns about or rejects while
 * js-yaml accepts it (found by comparing both on mutated manifests; test/manifests/fast-parse).
 * They are matched anywhere, comments and quoted text included: a false match only costs the
 * `yaml` parse the file would have had anyway.
 */
const NOT_FOR_JS_YAML: readonly RegExp[] = [
  /(?:^|[\s,[{:])[!&*%?]/m, // tags, anchors and aliases (yaml's maxAliasCount), directives, explicit keys
  /^[ ]*[\]}]/m, // a flow collection closing at the start of a line (yaml warns)
  /[\]}][ ]*:/, // a collection as a key (yaml stringifies it its own way)
  /[{,[][ ]*:/, // an empty key in a flow collection
  /(?:^|[\s{,[])(?:~|[Nn]ull|NULL)?[ ]*:(?:\s|$)/m, // a null key: yaml makes it "", js-yaml "null"
  /(?:^|[{,[])[ ]*(?:~|[Nn]ull|NULL)[ ]*[:,}\]]/m, // the same in flow collections ({null} too)
  /^(?:---|\.\.\.)(?![ ]*$|[ ]+#)/m, // content on a document marker line
  /(?:^|[ ])-[ ]*(?:#.*)?$/m, // a sequence entry with nothing after its dash on the line
  /[|>][+-]?[0-9]|[|>][0-9]*\+/, // block scalars with an indentation indicator or keep chomping
  /[|>][+-]?[ ]*(?:#[^\n]*)?\n[ ]*\n/, // a block scalar starting with an empty line
  /[\]}]#/, // a comment right after a closing bracket (quotes: spansLines)
  /\\U/, // 8-digit escapes (yaml checks the code point)
  /[\t\r\ufeff\u0085\u2028\u2029]/, // tabs, CR line ends, byte order marks, Unicode line breaks
];

/**
 * True when a quoted scalar or a flow collection goes on past the end of its line (`yaml` checks
 * the indentation of such continuation lines, js-yaml does not), a flow mapping has a collection
 * or nothing as a key, a `#` follows a closing quote (`yaml` refuses it), or a line is longer
 * than 1 024 characters (`yaml` refuses implicit keys longer than that).
 */
function spansLines(text: string): boolean {
  const open: number[] = []; // flow collections open on this line: '[' or '{'
  let atStart = true; // at the start of a token: line start, after a space or [ { , : ] }
  let atKey = false; // at a key of a flow mapping: after its { or a ,
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      if (open.length > 0 || i - lineStart > 1024) return true;
      lineStart = i + 1;
      atStart = true;
      continue;
    }
    if (c === 0x20) {
      atStart = true;
      continue;
    }
    if (c === 0x23 && (i === lineStart || text.charCodeAt(i - 1) === 0x20)) {
      // # comment (after a space or at the start of the line): skip to the end of the line
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
      continue;
    }
    const key = atKey;
    atKey = false;
    if (atStart && (c === 0x22 || c === 0x27)) {
      // "double" or 'single' quoted: must end on this line
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return true;
        const d = text.charCodeAt(j);
        if (d === 0x0a) return true;
        if (c === 0x22 && d === 0x5c) {
          if (j + 1 >= text.length || text.charCodeAt(j + 1) === 0x0a) return true;
          j += 2;
          continue;
        }
        if (d === c) {
          if (c === 0x27 && text.charCodeAt(j + 1) === 0x27) {
            j += 2;
            continue;
          }
          break;
        }
        j += 1;
      }
      if (text.charCodeAt(j + 1) === 0x23) return true; // "a"#b: a comment right after the quote
      i = j;
      atStart = false;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (key) return true;
      open.push(c);
      atKey = c === 0x7b;
    } else if (c === 0x5d || c === 0x7d) {
      if (open.pop() !== c - 2) return true;
    } else if (c === 0x2c) {
      atKey = open[open.length - 1] === 0x7b;
    } else if (c === 0x3a && key) {
      return true;
    }
    atStart = c === 0x5b || c === 0x7b || c === 0x2c || c === 0x3a || c === 0x5d || c === 0x7d;
  }
  return open.length > 0 || text.length - lineStart > 1024;
}

/** A document's plain value and the line its content starts on, as js-yaml reads it. */
export interface FastDocument {
  value: unknown;
  line: number;
}

/**
 * Every document of a file read with js-yaml (resolving scalars as `yaml` does), or undefined
 * when the file must be parsed with `yaml`: js-yaml refused it (syntax error, duplicate key: the
 * errors are reported with `yaml`'s positions and messages), it has an empty document (`yaml`
 * and js-yaml count and place those differently), or it uses something the two may read
 * differently (NOT_FOR_JS_YAML, spansLines). When it answers, `yaml` gives the same values and
 * lines, no errors and no warnings.
 */
export function fastValues(text: string): FastDocument[] | undefined {
  for (const pattern of NOT_FOR_JS_YAML) if (pattern.test(text)) return undefined;
  if (spansLines(text)) return undefined;
  const lines: number[] = [];
  let depth = 0;
  let values: unknown[];
  try {
    values = loadAll(text, null, {
      schema: YAML_CORE_SCHEMA,
      // The root node of each document opens once its `---` and comments are skipped: that is
      // where `yaml` puts the document's contents.
      listener(event, state) {
        if (event === 'close') depth -= 1;
        else if (depth++ === 0) lines.push(state.line + 1);
      },
    });
  } catch {
    return undefined;
  }
  if (lines.length !== values.length || values.some((v) => v === null || v === '')) return undefined;
  return values.map((value, i) => ({ value, line: lines[i]! }));
}

/** Defines `key` on `target` as computed on first read (then a plain property). */
function lazyProperty<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
    set(value: T[K]) {
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
    },
  });
}

export interface ParseOptions {
  /** Default true: values from js-yaml, Documents on first use. False: `yaml` at once (tests compare both). */
  lazy?: boolean;
}

/** Parses one manifest file's text; never throws on bad YAML (the errors are in the result). */
export function parseManifestText(text: string, absPath: string, file: string, options: ParseOptions = {}): ManifestFile {
  const fast = options.lazy === false ? undefined : fastValues(text);
  return fast ? fileOfValues(text, absPath, file, fast) : parseWithDocuments(text, absPath, file);
}

/** A file whose values js-yaml read (fastValues): its Documents are built with `yaml` on first use. */
function fileOfValues(text: string, absPath: string, file: string, fast: FastDocument[]): ManifestFile {
  // The values are known: the Documents need no toJS.
  let full: ParsedDocuments | undefined;
  const withDocuments = (): ParsedDocuments => (full ??= yamlDocuments(text));
  const documents = fast.map(({ value, line }, index) => {
    const document = { index, value, info: objectInfo(value), line, empty: false } as ManifestDocument;
    lazyProperty(document, 'doc', () => withDocuments().docs[index]!);
    return document;
  });
  // No errors: js-yaml would have thrown. No warnings: `yaml` warns only about directives, tags,
  // anchors and aliases, and flow collections ending at their parent's indentation, all of
  // which send a file to parseWithDocuments.
  const result = { path: absPath, file, text, documents, errors: [], warnings: [] } as unknown as ManifestFile;
  lazyProperty(result, 'lineCounter', () => withDocuments().lineCounter);
  return result;
}

interface ParsedDocuments {
  lineCounter: LineCounter;
  docs: Document.Parsed[];
}

function yamlDocuments(text: string): ParsedDocuments {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings (a collection used as a key) would reach stderr as raw Node warnings.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  return { lineCounter, docs: (Array.isArray(docs) ? docs : [docs]) as Document.Parsed[] };
}

/** Parses with the `yaml` Document API: values, Documents, positions, errors and warnings. */
function parseWithDocuments(text: string, absPath: string, file: string): ManifestFile {
  const { lineCounter, docs: list } = yamlDocuments(text);
  const errors: YamlIssue[] = [];
  const warnings: YamlIssue[] = [];
  const issue = (e: { message: string; code: string; pos: [number, number] }): YamlIssue => {
    const p = lineCounter.linePos(e.pos[0]);
    return { line: p.line, column: p.col, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), code: e.code };
  };
  const documents: ManifestDocument[] = [];
  list.forEach((doc, index) => {
    for (const e of doc.errors) errors.push(issue(e));
    for (const w of doc.warnings) warnings.push(issue(w));
    const contents = doc.contents;
    const empty = contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''));
    let value: unknown;
    if (doc.errors.length === 0 && !empty) {
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        const start = contents?.range?.[0] ?? 0;
        const p = lineCounter.linePos(start);
        errors.push({ line: p.line, column: p.col, message: (error as Error).message, code: 'TO_JS' });
      }
    }
    const start = contents?.range?.[0] ?? doc.range[0];
    documents.push({ index, doc, value, info: objectInfo(value), line: lineCounter.linePos(start).line, empty });
  });
  return { path: absPath, file, text, lineCounter, documents, errors, warnings };
}

/**
 * Parsed files by absolute path, reused while the file's text is the same: the console re-reads
 * every tenant on each refresh, and validate after update-manifests in one process re-reads what
 * was just written. Entries are shared: a ManifestFile and its Documents are never mutated.
 */
const parsed = new Map<string, ManifestFile>();
const CACHE_LIMIT = 5000;

function remember(file: ManifestFile): void {
  parsed.delete(file.path);
  parsed.set(file.path, file);
  if (parsed.size > CACHE_LIMIT) parsed.delete(parsed.keys().next().value!);
}

/** Forgets every parsed file (benchmarks measure cold reads with it). */
export function clearManifestCache(): void {
  parsed.clear();
}

/** parseManifestText, answered from the cache when the file's text has not changed. */
export function parseManifestCached(text: string, absPath: string, file: string): ManifestFile {
  const hit = parsed.get(absPath);
  if (hit && hit.text === text && hit.file === file) return hit;
  const fresh = parseManifestText(text, absPath, file);
  remember(fresh);
  return fresh;
}

export interface ScalarEdit {
  documentIndex: number;
  /** Offsets of the replaced scalar in the old text. */
  start: number;
  end: number;
  /** The new source text of the scalar (same style). */
  text: string;
}

function lineCounterFor(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) counter.addNewLine(i + 1);
  return counter;
}

/**
 * Caches the parsed form of `after`, which is `file.text` with scalar values replaced in place
 * (the edits update-manifests makes), built without parsing again: the edited scalars get their
 * new value and every offset after an edit moves by its length change. The Document objects are
 * updated in place (cloning them costs about as much as parsing), so `file` itself must not be
 * used after this call: it describes a text that is no longer on disk. (Edits found in the text,
 * without the Documents, are cached through `readBackImages` instead.)
 */
export function withScalarEdits(file: ManifestFile, edits: readonly ScalarEdit[], after: string): void {
  const byDoc = new Map<number, ScalarEdit[]>();
  for (const e of edits) byDoc.set(e.documentIndex, [...(byDoc.get(e.documentIndex) ?? []), e]);
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  /** Where an old offset lands in the new text. */
  const move = (offset: number): number => {
    let delta = 0;
    for (const e of sorted) {
      if (offset >= e.end) delta += e.text.length - (e.end - e.start);
      else break;
    }
    return offset + delta;
  };
  const shift = (range: [number, number, number] | null | undefined) => {
    if (range) for (let i = 0; i < 3; i += 1) range[i] = move(range[i]!);
  };
  const lineCounter = lineCounterFor(after);
  const first = sorted[0]?.start ?? Number.POSITIVE_INFINITY;
  const documents = file.documents.map((document) => {
    const own = byDoc.get(document.index);
    if (!own && document.doc.range[2] <= first) return document; // before every edit: unchanged
    const doc = document.doc;
    shift(doc.range as [number, number, number]);
    const edited = new Map<number, ScalarEdit>((own ?? []).map((e) => [e.start, e]));
    visit(doc, {
      Node(_, node) {
        if (!isNode(node) || !node.range) return;
        const e = isScalar(node) ? edited.get(node.range[0]) : undefined;
        shift(node.range as [number, number, number]);
        if (e && isScalar(node)) {
          const value = parseScalarText(e.text);
          node.value = value;
          (node as { source?: string }).source = value;
          node.range[1] = node.range[0] + e.text.length;
        }
      },
    });
    // (offsets are already moved)
    if (!own) return { ...document, doc, line: lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line };
    const value = doc.toJS({ maxAliasCount: 1000 });
    return { ...document, doc, value, line: document.line };
  });
  remember({ ...file, text: after, lineCounter, documents });
}

/** The value of a scalar written plain, 'single' or "double" quoted (as renderLike writes them). */
function parseScalarText(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  return text;
}

/** Line and column (1-based) of the node at `p` in a document, or of the nearest parent that exists. */
export function positionOf(file: ManifestFile, document: ManifestDocument, p: YamlPath): Position {
  for (let n = p.length; n >= 0; n -= 1) {
    const node = document.doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = file.lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: document.line, column: 1 };
}

/** Position of the *key* of the pair at `p` when there is one (for "field" problems), else of the value. */
export function keyPositionOf(file: ManifestFile, document: ManifestDocument, p: YamlPath): Position {
  if (p.length > 0 && typeof p[p.length - 1] === 'string') {
    const parent = document.doc.getIn(p.slice(0, -1), true) as { items?: { key: unknown }[] } | undefined;
    const pair = parent?.items?.find((item) => {
      const key = item.key as { value?: unknown } | undefined;
      return key && (key.value === p[p.length - 1] || (key as unknown) === p[p.length - 1]);
    });
    const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const pos = file.lineCounter.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return positionOf(file, document, p);
}

function buildWorkload(tenantNs: string, file: ManifestFile, document: ManifestDocument, info: WorkloadInfo): Workload {
  const containers: ContainerRef[] = info.containers.map((c) => {
    const ref: ContainerRef = { ...c, position: undefined };
    // Only validate, update-manifests and `ecp tenants` read it: the status views need no Document.
    if (c.image !== undefined) lazyProperty(ref, 'position', () => positionOf(file, document, c.imagePath));
    return ref;
  });
  return {
    name: info.name,
    kind: info.kind,
    namespace: effectiveNamespace(document.info, tenantNs) ?? tenantNs,
    declaredNamespace: info.declaredNamespace,
    path: file.path,
    file: file.file,
    documentIndex: document.index,
    line: document.line,
    replicas: info.replicas,
    containers,
  };
}

function asServiceWorkload(workload: Workload, info: WorkloadInfo, service: string): ServiceWorkload | undefined {
  const main = mainContainer(info, service);
  if (!main?.image) return undefined;
  const refs = new Map(workload.containers.map((c) => [`${c.list}/${c.index}`, c]));
  const own = ownContainers(info, service)
    .sort((a, b) => (a === main ? -1 : b === main ? 1 : 0))
    .map((c) => refs.get(`${c.list}/${c.index}`)!);
  return { ...workload, image: main.image, tag: main.tag, digest: main.digest, own };
}

/** The files holding the tenant's objects: what a Kustomize overlay renders, else its own files. */
export function objectFiles(tenant: Pick<Tenant, 'files' | 'kustomize'>): ManifestFile[] {
  return tenant.kustomize ? [tenant.kustomize.rendered] : tenant.files;
}

/**
 * Builds the tenant model from parsed files (no I/O). For a Kustomize overlay `rendered` holds
 * its objects; its workloads are then placed at the overlay's `images:` entry of their image (the
 * line ecp edits), else at the top of the kustomization.
 */
export function tenantFromFiles(config: ManifestConfig, id: string, dir: string, files: ManifestFile[], kustomize?: Tenant['kustomize']): Tenant {
  const overlay = kustomize ? files[0] : undefined;
  const sources = kustomize ? [kustomize.rendered] : files;
  const infos = sources.flatMap((f) => f.documents.map((d) => d.info));
  const { namespace, source } = tenantNamespace(id, infos, overlay ? kustomizationNamespace(overlay.documents[0]?.doc) : undefined);
  const workloads: Workload[] = [];
  const byService = new Map<string, ServiceWorkload[]>();
  for (const file of sources) {
    for (const document of file.documents) {
      const info = workloadInfo(document.value, config);
      if (!info) continue;
      let workload = buildWorkload(namespace, file, document, info);
      if (overlay) workload = atOverlayEntry(workload, overlay);
      workloads.push(workload);
      for (const name of servicesOf(info)) {
        const runs = asServiceWorkload(workload, info, name);
        if (runs) byService.set(name, [...(byService.get(name) ?? []), runs]);
      }
    }
  }
  const services = [...byService].map(([name, runs]): ManifestService => {
    const first = runs[0]!;
    return { name, repository: serviceRepositoryOf(config, name), workloads: runs, namespace: first.namespace, image: first.image, tag: first.tag, digest: first.digest };
  });
  return { id, dir, namespace, namespaceSource: source, files, kustomize, workloads, services };
}

/** A rendered workload, placed in the overlay: the kustomization file, at the images: entry of its first image. */
function atOverlayEntry(workload: Workload, overlay: ManifestFile): Workload {
  const document = overlay.documents[0];
  const lineOf = (repository: string | undefined) => (document && repository ? imageEntryLine(document.doc, overlay.lineCounter, repository) : undefined);
  const containers = workload.containers.map((c) => ({ ...c, position: { line: lineOf(c.repository) ?? 1, column: 1 } }));
  const line = containers.map((c) => lineOf(c.repository)).find((l) => l !== undefined) ?? 1;
  return { ...workload, path: overlay.path, file: overlay.file, line, containers };
}

/** The workloads of a tenant that run no service ecp recognises. */
export function unmanagedWorkloads(tenant: Tenant): Workload[] {
  const managed = new Set(tenant.services.flatMap((s) => s.workloads.map((w) => `${w.path}#${w.documentIndex}`)));
  return tenant.workloads.filter((w) => !managed.has(`${w.path}#${w.documentIndex}`));
}

/**
 * Reads one tenant. The id is checked as a DNS-1123 label first; an unknown tenant is a
 * UsageError naming it and the manifests folder. YAML errors do not throw: they are in
 * `files[].errors` (see `assertParsed`).
 */
export async function loadTenant(config: ManifestConfig, id: string): Promise<Tenant> {
  const dir = tenantDir(config, id);
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = await yamlFilesIn(dir);
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new UsageError(`Tenant "${id}" does not exist: there is no folder ${dir} with YAML files in ${config.manifestsDir}.`);
  }
  const overlay = names.find((name) => KUSTOMIZATION_FILES.includes(name));
  // Of an overlay only the kustomization is ecp's to read and edit: its other files are patches and resources.
  const files = await Promise.all(
    (overlay ? [overlay] : names).map(async (name) => {
      const abs = path.join(dir, name);
      let bytes: Buffer;
      try {
        // Small files: a synchronous read costs about half of a promise read through the thread pool.
        bytes = readFileSync(abs);
      } catch (error) {
        throw new UsageError(`Manifest ${abs} cannot be read: ${(error as Error).message}.`);
      }
      const refusal = manifestBytesProblem(bytes);
      if (refusal) return refusedFile(bytes, abs, `${id}/${name}`, refusal);
      return parseManifestCached(bytes.toString('utf8'), abs, `${id}/${name}`);
    }),
  );
  if (!overlay) return tenantFromFiles(config, id, dir, files);
  const kustomization = files[0]!;
  if (kustomization.errors.length > 0) return tenantFromFiles(config, id, dir, files, { rendered: parseManifestText('', kustomization.path, kustomization.file) });
  const render = await renderKustomization(dir);
  if (!render.ok) {
    const failed: ManifestFile = { ...kustomization, errors: [{ line: 1, column: 1, code: 'KUSTOMIZE', message: render.reason }] };
    return tenantFromFiles(config, id, dir, [failed], { tool: render.tool, rendered: parseManifestText('', kustomization.path, kustomization.file) });
  }
  const rendered = parseManifestText(render.text, kustomization.path, `${kustomization.file} (rendered by ${render.tool})`);
  return tenantFromFiles(config, id, dir, files, { tool: render.tool, rendered });
}

/** What a Kubernetes API server accepts: one object up to etcd's 1.5 MiB, one request up to 3 MiB. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
export const MAX_FILE_BYTES = 3 * 1024 * 1024;

const megabytes = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * Why a manifest file is refused before it is parsed, as a YAML issue at its line: bytes that are
 * not UTF-8 (ecp would rewrite them on any edit), or a size no API server accepts (parsing such a
 * file costs tens of seconds and hundreds of MB).
 */
export function manifestBytesProblem(bytes: Buffer): YamlIssue | undefined {
  if (bytes.length > MAX_FILE_BYTES) {
    return { line: 1, column: 1, code: 'TOO_LARGE', message: `the file is ${megabytes(bytes.length)}, more than the ${megabytes(MAX_FILE_BYTES)} a Kubernetes API server accepts in one request` };
  }
  // Documents end at a line starting with ---, and at the end of the file.
  const tooLarge = (size: number, line: number): YamlIssue | undefined =>
    size > MAX_OBJECT_BYTES
      ? { line, column: 1, code: 'TOO_LARGE', message: `the object starting here is ${megabytes(size)}, more than the ${megabytes(MAX_OBJECT_BYTES)} etcd stores for one object` }
      : undefined;
  let documentStart = 0;
  let documentLine = 1;
  for (let start = 0, line = 1; start < bytes.length; line += 1) {
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d && bytes[start + 2] === 0x2d) {
      const problem = tooLarge(start - documentStart, documentLine);
      if (problem) return problem;
      documentStart = start;
      documentLine = line + 1; // the object starts below its ---
    }
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break;
    start = end + 1;
  }
  const last = tooLarge(bytes.length - documentStart, documentLine);
  if (last) return last;
  if (!isUtf8(bytes)) {
    const lines = bytes.toString('latin1').split('\n');
    const at = lines.findIndex((l) => !isUtf8(Buffer.from(l, 'latin1')));
    const column = Buffer.from(lines[at]!, 'latin1').toString('utf8').indexOf('\uFFFD') + 1;
    return {
      line: at + 1,
      column: Math.max(column, 1),
      code: 'NOT_UTF8',
      message: 'this line is not UTF-8 text; ecp edits only UTF-8 files, so it changes nothing in this one (convert it with iconv)',
    };
  }
  return undefined;
}

/** A file refused by manifestBytesProblem: no documents, one error. */
function refusedFile(bytes: Buffer, absPath: string, file: string, problem: YamlIssue): ManifestFile {
  const empty = parseManifestText('', absPath, file);
  return { ...empty, text: bytes.toString('utf8'), errors: [problem] };
}

/** Every tenant (folders with valid names), sorted by id. */
export async function loadTenants(config: ManifestConfig): Promise<Tenant[]> {
  const ids = await listTenantIds(config);
  return Promise.all(ids.map((id) => loadTenant(config, id)));
}

/** Throws a UsageError when the tenant is a Kustomize overlay that did not render (naming the file and why). */
export function assertRendered(tenant: Tenant, display: (abs: string) => string = (p) => p): void {
  const file = tenant.kustomize ? tenant.files[0] : undefined;
  const failed = file?.errors.find((e) => e.code === 'KUSTOMIZE');
  if (failed) throw new UsageError(`${display(file!.path)} does not render: ${failed.message}; nothing was changed.`);
}

/** Throws a UsageError naming file:line:column of the first YAML error of the tenant. */
export function assertParsed(tenant: Tenant, display: (abs: string) => string = (p) => p): void {
  for (const file of tenant.files) {
    const first = file.errors[0];
    assertRendered(tenant, display);
    if (first) {
      throw new UsageError(`${display(file.path)}:${first.line}:${first.column} is not valid YAML (${first.message}); nothing was changed.`);
    }
  }
}

/** The service of a tenant by name (first match), or undefined. */
export function findService(tenant: Tenant, name: string): ManifestService | undefined {
  return tenant.services.find((s) => s.name === name);
}

export type ImageNode =
  | {
      ok: true;
      start: number;
      end: number;
      source: string;
      type: string;
      line: number;
      /** Found in the text, not by the Documents: the edited file must read back as that edit (readBackImages). */
      inText?: true;
    }
  | { ok: false; reason: string };

/**
 * The image scalar of a container, for edits (offsets in the file's text); describes why it
 * cannot be edited otherwise. Building the Documents to find one scalar was two thirds of
 * update-manifests --all, so while they are not built the scalar is looked for in the text.
 */
export function imageNode(file: ManifestFile, document: ManifestDocument, container: ContainerInfo): ImageNode {
  const found = documentsBuilt(file) || container.image === undefined ? undefined : imageOnItsOwnLine(file, document, container.image);
  if (found) return found;
  const node = document.doc.getIn(container.imagePath, true);
  if (isAlias(node)) return { ok: false, reason: 'its image is a YAML alias (*anchor); edit it by hand' };
  if (!isScalar(node) || !node.range) return { ok: false, reason: 'its image is not a plain value' };
  const type = String(node.type ?? 'PLAIN');
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    return { ok: false, reason: 'its image is written as a block scalar (| or >); edit it by hand' };
  }
  return { ok: true, start: node.range[0], end: node.range[1], source: String(node.source ?? node.value), type, line: file.lineCounter.linePos(node.range[0]).line };
}

/** Whether the file's `yaml` Documents exist (parsed at once, or asked for since). */
function documentsBuilt(file: ManifestFile): boolean {
  return Object.getOwnPropertyDescriptor(file, 'lineCounter')?.get === undefined;
}

/** Builds the file's `yaml` Documents now: `imageNode` then finds every image with them. */
export function buildDocuments(file: ManifestFile): void {
  void file.lineCounter;
  for (const document of file.documents) void document.doc;
}

/** An image edit of update-manifests: the scalar replaced, and the container's image it gives. */
export interface ImageEdit extends ScalarEdit {
  /** The container's image in its document (ContainerInfo.imagePath). */
  imagePath: YamlPath;
  /** The new image. */
  image: string;
}

/**
 * The file `after` (`file`'s text with `edits` applied) parsed, when it reads back as exactly
 * those edits: with js-yaml, as many documents on the same lines, each edited container's image
 * the new one, and every other value as before. Undefined otherwise (an image found in the text
 * was another field's, or the new text is one js-yaml is not trusted with): the Documents decide.
 * The values kept are the old ones with the new images, sharing every untouched part: the fresh
 * parse is only the check, and dies young (keeping it doubled what the collector had to copy).
 */
export function readBackImages(file: ManifestFile, after: string, edits: readonly ImageEdit[]): ManifestFile | undefined {
  const fast = fastValues(after);
  if (!fast || fast.length !== file.documents.length) return undefined;
  const values = file.documents.map((d) => d.value);
  for (const e of edits) values[e.documentIndex] = withValueAt(values[e.documentIndex], e.imagePath, e.image);
  if (!fast.every((d, i) => d.line === file.documents[i]!.line && sameData(d.value, values[i]))) return undefined;
  return fileOfValues(
    after,
    file.path,
    file.file,
    values.map((value, i) => ({ value, line: fast[i]!.line })),
  );
}

/** Deep equality of what js-yaml builds (plain objects, arrays, scalars): a third of util.isDeepStrictEqual's cost here. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `value` with the field at `p` set to `to`, copying only the objects on the way there (values are never mutated). */
function withValueAt(value: unknown, p: YamlPath, to: unknown): unknown {
  if (p.length === 0) return to;
  if (value === null || typeof value !== 'object') return value; // no such field: the comparison fails
  const [key, ...rest] = p as [string | number, ...YamlPath];
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
  copy[key] = withValueAt(copy[key], rest, to);
  return copy;
}

/** Caches the parsed form of a file just written (readBackImages), for the next read of it. */
export function rememberWritten(file: ManifestFile): void {
  remember(file);
}

const IMAGE_LINE = /^[ \t]*(?:-[ \t]+)?image:[ \t]+/;

/**
 * The image scalar found in the text, without the Documents: the one line of the document that
 * reads `image: <value>` (plain, 'single' or "double" quoted, a comment after it allowed) with
 * the container's value. Undefined otherwise (no such line, or several): the Documents decide
 * then. Whether it is the container's image (not another field's) is known only once the edited
 * file reads back as the edit (readBackImages).
 */
function imageOnItsOwnLine(file: ManifestFile, document: ManifestDocument, image: string): ImageNode | undefined {
  const { text } = file;
  let offset = 0;
  for (let line = 1; line < document.line; line += 1) offset = text.indexOf('\n', offset) + 1;
  const next = file.documents[document.index + 1];
  let found: ImageNode | undefined;
  for (let line = document.line; offset < text.length && (next === undefined || line < next.line); line += 1) {
    const eol = text.indexOf('\n', offset) === -1 ? text.length : text.indexOf('\n', offset);
    const key = IMAGE_LINE.exec(text.slice(offset, eol));
    const scalar = key ? scalarAt(text, offset + key[0].length, eol) : undefined;
    if (scalar && scalar.value === image) {
      if (found) return undefined;
      found = { ok: true, start: scalar.start, end: scalar.end, source: scalar.value, type: scalar.type, line, inText: true };
    }
    offset = eol + 1;
  }
  return found;
}

/** The one-line scalar from `start` up to `eol` (then only spaces and a comment), or undefined. */
function scalarAt(text: string, start: number, eol: number): { start: number; end: number; value: string; type: string } | undefined {
  const quote = text[start];
  let end: number;
  let value: string;
  let type: string;
  if (quote === '"' || quote === "'") {
    end = start + 1;
    for (; end < eol; end += 1) {
      if (quote === '"' && text[end] === '\\') end += 1;
      else if (text[end] === quote && !(quote === "'" && text[end + 1] === "'")) break;
      else if (quote === "'" && text[end] === "'") end += 1;
    }
    if (end >= eol) return undefined;
    end += 1;
    try {
      value = quote === '"' ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1).replace(/''/g, "'");
    } catch {
      return undefined; // a YAML escape JSON does not know: the Documents decide
    }
    type = quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
  } else {
    const rest = text.slice(start, eol);
    const comment = rest.search(/[ \t]#/);
    value = (comment === -1 ? rest : rest.slice(0, comment)).trimEnd();
    if (!/^[A-Za-z0-9_./:@+-]+$/.test(value) || /^[-:?]/.test(value)) return undefined;
    end = start + value.length;
    type = 'PLAIN';
  }
  return /^[ \t]*(?:#.*)?\r?$/.test(text.slice(end, eol)) ? { start, end, value, type } : undefined;
}

/**
 * What the manifests folder looks like on disk (each YAML file's path, size and mtime): parsing
 * a thousand manifests again is only worth it when this changed.
 */
export async function manifestsSignature(manifestsDir: string): Promise<string> {
  const parts: string[] = [];
  let tenants: string[];
  try {
    tenants = (await readdir(manifestsDir)).sort();
  } catch {
    return 'missing';
  }
  for (const tenant of tenants) {
    const dir = path.join(manifestsDir, tenant);
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => /\.ya?ml$/i.test(f)).sort();
    } catch {
      parts.push(`${tenant}:not-a-folder`);
      continue;
    }
    for (const file of files) {
      const s = await stat(path.join(dir, file)).catch(() => undefined);
      parts.push(`${tenant}/${file}:${s?.size}:${s?.mtimeMs}`);
    }
  }
  return parts.join('|');
}
