/** Verbose log on stderr, on only with DEBUG=1 (DESIGN §4). Never pass secrets here. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DEBUG === '1' || env.DEBUG === 'true';
}

export function debug(scope: string, message: string): void {
  if (!debugEnabled()) return;
  process.stderr.write(`[debug ${new Date().toISOString()} ${scope}] ${message}\n`);
}
