/**
 * Tenants' manifests on disk (DESIGN §2, §9): k8s-manifests/<tenant>/*.yaml|*.yml, each a
 * multi-document YAML file read with the `yaml` Document API. The parsed Document objects are
 * kept, with a line counter, so every object, field and image can be traced to its file:line and
 * edited in place. The tenant id is checked before any path is built from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isNode, isScalar, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import type { Config } from '../config.js';
import {
  checkTenantId,
  effectiveNamespace,
  mainContainer,
  objectInfo,
  ownContainers,
  serviceRepositoryOf,
  tenantNamespace,
  TenantIdError,
  workloadInfo,
  type ContainerInfo,
  type ObjectInfo,
  type WorkloadInfo,
  type WorkloadKind,
  type YamlPath,
} from '../domain/manifest-model.js';
import { isDns1123Label } from '../domain/names.js';
import { UsageError } from '../errors.js';

export type ManifestConfig = Pick<Config, 'manifestsDir' | 'registry' | 'imagePrefix'>;

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
  lineCounter: LineCounter;
  documents: ManifestDocument[];
  errors: YamlIssue[];
  warnings: YamlIssue[];
}

export interface ContainerRef extends ContainerInfo {
  /** Line and column of the image value (undefined when the container has no image). */
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
  /** `${registry}/${prefix}/${name}`: what makes a container the service's own. */
  repository: string;
  containers: ContainerRef[];
}

/** A workload with at least one container of its own image: an ecp-managed service. */
export interface ManifestService extends Workload {
  /** The main container's image as written, e.g. `localhost:5000/ecp-ai/callbot:v1`. */
  image: string;
  tag?: string;
  digest?: string;
  /** The containers that carry the service's image (main container first; init containers too). */
  own: ContainerRef[];
}

export interface Tenant {
  id: string;
  /** Absolute path of the tenant's folder. */
  dir: string;
  /** The tenant's namespace (the one Namespace object's name, else the tenant id). */
  namespace: string;
  namespaceSource: 'tenant-id' | 'Namespace object';
  files: ManifestFile[];
  /** Every Deployment and StatefulSet. */
  workloads: Workload[];
  /** The workloads ecp manages (they have a container with their own image), in file order. */
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
  const entries = await readdir(dir, { withFileTypes: true });
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

/** Parses one manifest file's text; never throws on bad YAML (the errors are in the result). */
export function parseManifestText(text: string, absPath: string, file: string): ManifestFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = (Array.isArray(docs) ? docs : [docs]) as Document.Parsed[];
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
 * The parsed form of `after`, which is `file.text` with scalar values replaced in place (the
 * edits update-manifests makes), built without parsing again: the edited scalars get their new
 * value and every offset after an edit moves by its length change. The Document objects are
 * updated in place (cloning them costs about as much as parsing), so `file` itself must not be
 * used after this call: it describes a text that is no longer on disk. The result replaces it in
 * the cache, so the next read of the written file is not parsed again.
 */
export function withScalarEdits(file: ManifestFile, edits: readonly ScalarEdit[], after: string): ManifestFile {
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
  const next: ManifestFile = { ...file, text: after, lineCounter, documents };
  remember(next);
  return next;
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

function buildWorkload(
  config: ManifestConfig,
  tenantNs: string,
  file: ManifestFile,
  document: ManifestDocument,
  info: WorkloadInfo,
): Workload {
  const containers: ContainerRef[] = info.containers.map((c) => ({
    ...c,
    position: c.image === undefined ? undefined : positionOf(file, document, c.imagePath),
  }));
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
    repository: serviceRepositoryOf(config, info.name),
    containers,
  };
}

function asService(workload: Workload, info: WorkloadInfo): ManifestService | undefined {
  const main = mainContainer(info);
  if (!main?.image) return undefined;
  const refs = new Map(workload.containers.map((c) => [`${c.list}/${c.index}`, c]));
  const own = ownContainers(info)
    .sort((a, b) => (a === main ? -1 : b === main ? 1 : 0))
    .map((c) => refs.get(`${c.list}/${c.index}`)!);
  return { ...workload, image: main.image, tag: main.tag, digest: main.digest, own };
}

/** Builds the tenant model from parsed files (no I/O). */
export function tenantFromFiles(config: ManifestConfig, id: string, dir: string, files: ManifestFile[]): Tenant {
  const infos = files.flatMap((f) => f.documents.map((d) => d.info));
  const { namespace, source } = tenantNamespace(id, infos);
  const workloads: Workload[] = [];
  const services: ManifestService[] = [];
  for (const file of files) {
    for (const document of file.documents) {
      const info = workloadInfo(document.value, config);
      if (!info) continue;
      const workload = buildWorkload(config, namespace, file, document, info);
      workloads.push(workload);
      const service = asService(workload, info);
      if (service) services.push(service);
    }
  }
  return { id, dir, namespace, namespaceSource: source, files, workloads, services };
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
  const files = await Promise.all(
    names.map(async (name) => {
      const abs = path.join(dir, name);
      let text: string;
      try {
        // Small files: a synchronous read costs about half of a promise read through the thread pool.
        text = readFileSync(abs, 'utf8');
      } catch (error) {
        throw new UsageError(`Manifest ${abs} cannot be read: ${(error as Error).message}.`);
      }
      return parseManifestCached(text, abs, `${id}/${name}`);
    }),
  );
  return tenantFromFiles(config, id, dir, files);
}

/** Every tenant (folders with valid names), sorted by id. */
export async function loadTenants(config: ManifestConfig): Promise<Tenant[]> {
  const ids = await listTenantIds(config);
  return Promise.all(ids.map((id) => loadTenant(config, id)));
}

/** Throws a UsageError naming file:line:column of the first YAML error of the tenant. */
export function assertParsed(tenant: Tenant, display: (abs: string) => string = (p) => p): void {
  for (const file of tenant.files) {
    const first = file.errors[0];
    if (first) {
      throw new UsageError(
        `${display(file.path)}:${first.line}:${first.column} is not valid YAML (${first.message}); nothing was changed.`,
      );
    }
  }
}

/** The service of a tenant by name (first match), or undefined. */
export function findService(tenant: Tenant, name: string): ManifestService | undefined {
  return tenant.services.find((s) => s.name === name);
}

/** The image scalar node of a container, for edits; describes why it cannot be edited otherwise. */
export function imageNode(
  document: ManifestDocument,
  imagePath: YamlPath,
): { ok: true; start: number; end: number; source: string; type: string } | { ok: false; reason: string } {
  const node = document.doc.getIn(imagePath, true);
  if (isAlias(node)) return { ok: false, reason: 'its image is a YAML alias (*anchor); edit it by hand' };
  if (!isScalar(node) || !node.range) return { ok: false, reason: 'its image is not a plain value' };
  const type = String(node.type ?? 'PLAIN');
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    return { ok: false, reason: 'its image is written as a block scalar (| or >); edit it by hand' };
  }
  return { ok: true, start: node.range[0], end: node.range[1], source: String(node.source ?? node.value), type };
}
