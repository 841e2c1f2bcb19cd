/** Where in a text a JSON.parse failure happened, as line:column (1-based). */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  // Some of V8's messages (Node 20: `Unexpected token 'x', "..." is not valid JSON`) carry no
  // position: find it by scanning.
  const offset = match ? Number(match[1]) : firstSyntaxError(text);
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const reason = message
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/,? (\.\.\.)?".*" is not valid JSON$/s, '')
    .slice(0, 120);
  return `line ${line}, column ${column}: ${reason}`;
}

/** The offset of the first character that makes `text` not JSON, or undefined when it is JSON. */
export function firstSyntaxError(text: string): number | undefined {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const c of word) if (text[i++] !== c) (i -= 1), fail();
  };
  const string = () => {
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i += 1;
    }
    if (i >= text.length) fail();
    i += 1;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail();
    i += match![0].length;
  };
  const collection = (close: string, member: () => void) => {
    i += 1;
    space();
    if (text[i] === close) return void (i += 1);
    while (true) {
      member();
      space();
      if (text[i] === close) return void (i += 1);
      if (text[i] !== ',') fail();
      i += 1;
    }
  };
  const pair = () => {
    space();
    if (text[i] !== '"') fail();
    string();
    space();
    if (text[i] !== ':') fail();
    i += 1;
    value();
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return collection('}', pair);
    if (c === '[') return collection(']', value);
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (offset) {
    if (typeof offset === 'number') return Math.min(offset, text.length);
    if (offset instanceof RangeError) return undefined; // nested too deep to scan
    throw offset;
  }
}
