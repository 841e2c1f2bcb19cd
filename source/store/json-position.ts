/** Where in a text a JSON.parse failure happened, as line:column (1-based). */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  let offset = match ? Number(match[1]) : undefined;
  if (offset === undefined && /Unexpected end of JSON input/.test(message)) offset = text.length;
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${message.replace(/\s*in JSON at position \d+.*$/, '').replace(/,? ".*" is not valid JSON$/, '')}`;
}
