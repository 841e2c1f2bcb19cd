/**
 * `tag` as a function over adapters and the store: commit only the tenant's changed manifests,
 * with a message listing `service: old → new` (HEAD against the work tree), create an annotated
 * tag from the configured pattern, optionally push both, record the tag on the tenant's untagged
 * deployment records, and audit. Never prints.
 */
import path from 'node:path';
import {
  changedUnder,
  commitFolder,
  createAnnotatedTag,
  currentBranch,
  filesAtHead,
  insideWorkTree,
  isValidTagName,
  pushCommitAndTag,
  remoteUrl,
  tagExists,
  textAtHead,
  workTreeTop,
} from '../adapters/git-tag.js';
import { readImageEntry } from '../adapters/kustomize.js';
import { assertParsed, loadTenant, parseManifestText, tenantDir, tenantFromFiles, type Tenant } from '../adapters/manifests.js';
import { anchorLine } from '../store/audit.js';
import type { Core } from '../core.js';
import { deployMessage, deployTagName, imageChanges, TagPatternError, type ImageChange, type ServiceImage } from '../domain/deploy-tag.js';
import { EcpError, UsageError } from '../errors.js';
import { ignoreEvents, type EventSink } from './events.js';
import { assertMayChange } from './policy.js';
import { counted } from '../domain/words.js';

export interface TagOptions {
  tenant: string;
  message?: string;
  push?: boolean;
  now?: Date;
  onEvent?: EventSink;
}

export interface TagResult {
  tenant: string;
  committed: boolean;
  /** Changed files (relative to the work tree top). */
  files: string[];
  changes: ImageChange[];
  commit?: string;
  tag?: string;
  message?: string;
  pushed: boolean;
  remote?: string;
  /** Deployment records that now carry the tag. */
  deploymentsTagged: number;
  /** The tenant folder relative to the work tree top. */
  folder: string;
}

const YAML = /\.ya?ml$/i;
const images = (tenant: Tenant): ServiceImage[] => tenant.services.map((s) => ({ service: s.name, image: s.image, tag: s.tag }));

/**
 * A Kustomize overlay's images at HEAD: its kustomization's images: entries there, for the
 * services it renders now (HEAD's base is not rendered again); a service it had no entry for
 * kept the base's image, which is what it renders now unless the overlay gives one.
 */
async function overlayImagesAtHead(top: string, rel: string, tenant: Tenant): Promise<ServiceImage[]> {
  const text = (await textAtHead(top, path.posix.join(rel, path.basename(tenant.files[0]!.path)))) ?? '';
  return images(tenant).map((now) => {
    const service = tenant.services.find((s) => s.name === now.service)!;
    const entry = readImageEntry(text, service.repository);
    const tag = entry.digest ?? entry.newTag;
    return tag === undefined ? now : { service: now.service, image: entry.digest ? `${service.repository}@${tag}` : `${service.repository}:${tag}`, tag: entry.newTag };
  });
}

async function headImages(core: Core, top: string, rel: string, tenant: string, dir: string): Promise<ServiceImage[]> {
  const files = (await filesAtHead(top, rel)).filter((f) => YAML.test(f) && path.posix.dirname(f) === rel);
  const parsed = [];
  for (const f of files.sort()) {
    const text = await textAtHead(top, f);
    if (text !== undefined) parsed.push(parseManifestText(text, path.join(top, f), `${tenant}/${path.posix.basename(f)}`));
  }
  return images(tenantFromFiles(core.config, tenant, dir, parsed));
}

export async function tagDeployment(core: Core, options: TagOptions): Promise<TagResult> {
  const emit = options.onEvent ?? ignoreEvents;
  const now = options.now ?? new Date();
  const { config } = core;
  await assertMayChange(core, 'tag');
  const dir = tenantDir(config, options.tenant);
  const top = await workTreeTop(config.baseDir);
  const manifestsRel = insideWorkTree(top, config.manifestsDir);
  if (manifestsRel === undefined) {
    throw new UsageError(`The manifests folder ${config.manifestsDir} is not inside the git work tree ${top} (the folder of the config file); ecp tag cannot commit it.`);
  }
  const rel = path.posix.join(manifestsRel, options.tenant);
  const headFiles = await filesAtHead(top, rel);
  let tenant: Tenant | undefined;
  try {
    tenant = await loadTenant(config, options.tenant);
  } catch (error) {
    if (headFiles.length === 0) throw error; // unknown tenant: not in the work tree, nor at HEAD
  }
  if (tenant) assertParsed(tenant);

  let pattern: string;
  try {
    pattern = deployTagName(config.gitTagPattern, { tenant: options.tenant, now });
  } catch (error) {
    if (error instanceof TagPatternError) throw new UsageError(error.message);
    throw error;
  }
  if (!(await isValidTagName(top, pattern))) {
    throw new UsageError(`The git tag pattern "${config.gitTagPattern}" gives "${pattern}", which is not a valid git tag name.`);
  }
  const branch = await currentBranch(top);
  if (options.push && !(await remoteUrl(top, config.gitRemote))) {
    throw new UsageError(`The git remote "${config.gitRemote}" (gitRemote) does not exist in ${top}; nothing was committed.`);
  }

  const files = await changedUnder(top, rel);
  const result: TagResult = { tenant: options.tenant, committed: false, files, changes: [], pushed: false, deploymentsTagged: 0, folder: rel };
  if (files.length === 0) return result;

  const before = tenant?.kustomize ? await overlayImagesAtHead(top, rel, tenant) : await headImages(core, top, rel, options.tenant, dir);
  result.changes = imageChanges(before, tenant ? images(tenant) : []);
  const message = deployMessage(options.tenant, result.changes, files, options.message);
  result.message = message;

  emit({ step: 'commit', status: 'start', message: `committing ${counted(files.length, 'file')} under ${rel}/`, tenant: options.tenant });
  result.commit = await commitFolder(top, rel, message);
  result.committed = true;
  let name = pattern;
  for (let n = 2; await tagExists(top, name); n += 1) name = `${pattern}-${n}`;
  // The audit head goes into the annotation: an anchor outside the data dir (`audit verify --against-git`).
  await createAnnotatedTag(top, name, `${message}\n\n${anchorLine(await core.audit.head())}`, result.commit);
  result.tag = name;
  emit({ step: 'tag', status: 'done', message: `tagged ${result.commit.slice(0, 7)} as ${name}`, tenant: options.tenant });

  let pushError: UsageError | undefined;
  if (options.push) {
    result.remote = config.gitRemote;
    emit({ step: 'push', status: 'start', message: `pushing ${branch ?? '(detached HEAD)'} and ${name} to ${config.gitRemote}` });
    try {
      await pushCommitAndTag(top, config.gitRemote, branch, name);
      result.pushed = true;
    } catch (error) {
      pushError = error instanceof UsageError ? error : new UsageError(String(error));
    }
  }

  const actor = await core.actor();
  result.deploymentsTagged = await core.store.update((data, unit) => {
    let count = 0;
    for (const record of data.deployments) {
      if (record.tenantId === options.tenant && !record.gitTag) {
        record.gitTag = name;
        count += 1;
      }
    }
    unit.audit({
      actor,
      action: 'git.tag',
      target: options.tenant,
      details: { commit: result.commit, tag: name, files, changes: result.changes, pushed: result.pushed, remote: options.push ? config.gitRemote : null, deploymentsTagged: count },
    });
    return count;
  });
  if (pushError) {
    // Exit 1, not 2: the commit and the tag were made (exit 2 promises nothing changed).
    throw new EcpError(`${pushError.message.replace(/\.$/, '')}; commit ${result.commit.slice(0, 7)} and tag ${name} exist locally.`, 1);
  }
  return result;
}
