/** `ecp serve`'s one line per request names the client's address, also for a stream the client closed. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverWorld, type ServerWorld } from './world.js';

describe('ecp serve request log', () => {
  let w: ServerWorld;
  beforeAll(async () => {
    w = await serverWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('logs the address of a status page that closed its stream', async () => {
    const closed = new AbortController();
    const response = await fetch(`${w.url}/api/v1/image-management/status/stream`, { headers: { authorization: `Bearer ${w.tokens.reader}` }, signal: closed.signal });
    await response.body!.getReader().read(); // the first `status` event
    closed.abort();
    const line = await vi.waitFor(() => {
      const found = w.log.find((l) => l.includes(' GET /api/v1/image-management/status/stream '));
      if (!found) throw new Error('no log line for the stream yet');
      return found;
    });
    expect(line).toMatch(/^\S+ 127\.0\.0\.1 dashboard@example\.com GET \/api\/v1\/image-management\/status\/stream 200 \d+ms$/);
  });
});
