/** Terminal text: display width, one-line cleaning, truncation with …, padding. */

/** Columns a code point takes: 0 for combining marks and controls, 2 for wide (CJK, emoji). */
export function charWidth(cp: number): number {
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

/** One line, no control characters: what a table cell or a log line may hold. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

function takeWidth(chars: readonly string[], width: number): string {
  let out = '';
  let used = 0;
  for (const ch of chars) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}

/**
 * `tag`: an image tag, cut so that what tells versions apart stays (see `truncateTag`);
 * `change`: "old → new", each tag cut that way.
 */
export type TruncateAt = 'end' | 'middle' | 'start' | 'tag' | 'change';

export const CHANGE_ARROW = ' → ';

/** The version in a tag: "1.10.0" in "v1.10.0-rc1-abc1234". */
const VERSION_CORE = /\d+(?:\.\d+)+/;

/**
 * An image tag in `width` columns, the one way every table cuts tags: the version numbers are
 * kept whole (v1.10.0 and v1.11.0 never become the same text), and of what follows them the end
 * is kept, since that is where tags of one version differ (a build number, rc2, a commit):
 * `v1.0.0-seed01` → `v1.0.0…d01`, never `v1.0.0-se…` for seed01 and seed02 alike. A prefix
 * before the numbers goes first when even that does not fit. A tag without version numbers (a
 * commit, a date) keeps both ends.
 */
export function truncateTag(tag: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(tag) <= width) return tag;
  const core = VERSION_CORE.exec(tag);
  if (!core) return truncate(tag, width, 'middle');
  const upTo = tag.slice(0, core.index + core[0].length);
  const rest = [...tag.slice(upTo.length)].reverse();
  const withEnd = (kept: string) => `${kept}…${[...takeWidth(rest, width - textWidth(kept) - 1)].reverse().join('')}`;
  if (textWidth(upTo) < width) return withEnd(upTo);
  const version = `…${core[0]}`;
  if (rest.length && textWidth(version) < width) return withEnd(version);
  if (!rest.length && textWidth(version) <= width) return version;
  return truncate(tag, width, 'middle');
}

/** Fits `text` into `width` columns, marking what was cut with …. */
export function truncate(text: string, width: number, at: TruncateAt = 'end'): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  if (width === 1) return '…';
  if (at === 'tag') return truncateTag(text, width);
  if (at === 'change') {
    const [from = '', to] = text.split(CHANGE_ARROW);
    if (to === undefined || width < 2 * 3 + CHANGE_ARROW.length) return truncate(text, width, 'middle');
    const room = width - CHANGE_ARROW.length;
    // The newer tag keeps what it needs first; the older one gets the rest.
    const right = Math.min(textWidth(to), Math.max(Math.ceil(room / 2), room - textWidth(from)));
    return `${truncateTag(from, room - right)}${CHANGE_ARROW}${truncateTag(to, right)}`;
  }
  const chars = [...text];
  if (at === 'start') return `…${[...takeWidth([...chars].reverse(), width - 1)].reverse().join('')}`;
  if (at === 'middle') {
    const tail = Math.floor((width - 1) / 2);
    const head = width - 1 - tail;
    const end = [...takeWidth([...chars].reverse(), tail)].reverse().join('');
    return `${takeWidth(chars, head)}…${end}`;
  }
  return `${takeWidth(chars, width - 1)}…`;
}

/** Truncates, then pads to exactly `width` columns. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', at: TruncateAt = 'end'): string {
  const cut = truncate(text, width, at);
  const gap = ' '.repeat(Math.max(0, width - textWidth(cut)));
  return align === 'right' ? gap + cut : cut + gap;
}
