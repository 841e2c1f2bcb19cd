/** Waiting for something to happen, not for a while: a check polled until it holds, or a timeout that says what never happened. */
const POLL_MS = 20;

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
