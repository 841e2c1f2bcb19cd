/**
 * `ecp tag` rules as pure functions: the tag name from the configured pattern, the list of
 * `service: old → new` between HEAD and the work tree, and the commit / tag message.
 */
import { compactTimestamp } from './image-tag.js';
import { counted } from './words.js';

export class TagPatternError extends Error {}

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** `deploy/{tenant}/{timestamp}` → `deploy/acme/20260101-120000` (UTC). */
export function deployTagName(pattern: string, values: { tenant: string; now: Date }): string {
  const known: Record<string, string> = {
    tenant: values.tenant,
    timestamp: compactTimestamp(values.now),
    date: compactTimestamp(values.now).slice(0, 8),
  };
  return pattern.replace(PLACEHOLDER, (whole, name: string) => {
    const value = known[name];
    if (value === undefined) {
      throw new TagPatternError(`The git tag pattern "${pattern}" has an unknown placeholder ${whole} (known: {tenant}, {timestamp}, {date}).`);
    }
    return value;
  });
}

export interface ServiceImage {
  service: string;
  image: string;
  tag?: string;
}

export interface ImageChange {
  service: string;
  from?: string;
  to?: string;
  fromTag?: string;
  toTag?: string;
}

/** Services whose image differs between `before` (HEAD) and `after` (work tree), in `after` order. */
export function imageChanges(before: readonly ServiceImage[], after: readonly ServiceImage[]): ImageChange[] {
  const old = new Map<string, ServiceImage>();
  for (const s of before) if (!old.has(s.service)) old.set(s.service, s);
  const now = new Map<string, ServiceImage>();
  for (const s of after) if (!now.has(s.service)) now.set(s.service, s);
  const changes: ImageChange[] = [];
  for (const [service, s] of now) {
    const o = old.get(service);
    if (o?.image === s.image) continue;
    changes.push({ service, from: o?.image, to: s.image, fromTag: o?.tag, toTag: s.tag });
  }
  for (const [service, o] of old) {
    if (!now.has(service)) changes.push({ service, from: o.image, fromTag: o.tag });
  }
  return changes;
}

/** `callbot: v1 → v2`; a new service shows `(new)`, a removed one `(removed)`. */
export function changeLine(change: ImageChange): string {
  const side = (image: string | undefined, tag: string | undefined, missing: string) => (image === undefined ? missing : (tag ?? image));
  return `${change.service}: ${side(change.from, change.fromTag, '(new)')} → ${side(change.to, change.toTag, '(removed)')}`;
}

/** Subject line, a blank line, then one `service: old → new` per change (or a note when none). */
export function deployMessage(tenant: string, changes: readonly ImageChange[], files: readonly string[], subject?: string): string {
  const title =
    subject?.trim() ||
    (changes.length === 0
      ? `Update manifests of ${tenant}`
      : changes.length <= 3
        ? `Deploy ${tenant}: ${changes.map((c) => `${c.service} ${c.toTag ?? c.to ?? 'removed'}`).join(', ')}`
        : `Deploy ${tenant}: ${changes.length} services`);
  const body = changes.length > 0 ? changes.map(changeLine) : [`No image changes (${counted(files.length, 'file')} changed).`];
  return [title, '', ...body, ''].join('\n');
}
