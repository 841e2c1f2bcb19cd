/**
 * Text from outside (ids, branches, file contents, error messages quoting input) printed safely:
 * control characters become visible escapes, so an ESC sequence or a line break in a stored or
 * typed value cannot recolour the terminal or forge a line of output.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One cell or value: every control character escaped, line breaks too. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/** The longest message ecp prints whole; longer ones (a huge input echoed) are cut in the middle. */
export const MAX_MESSAGE_CHARS = 1_000;

/** A message of several lines: control characters escaped except line breaks, and capped. */
export function printableMessage(text: string): string {
  const safe = text.replace(CONTROL_BUT_NEWLINE, visible);
  if (safe.length <= MAX_MESSAGE_CHARS) return safe;
  const keep = MAX_MESSAGE_CHARS / 2;
  return `${safe.slice(0, keep)}… (${safe.length - 2 * keep} characters left out) …${safe.slice(-keep)}`;
}
