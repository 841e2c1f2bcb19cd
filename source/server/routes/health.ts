/** GET /health (the server's own: store readable, cluster reachable, version) and GET /openapi.json. */
import { errorMessage } from '../../errors.js';
import type { RouteModule } from '../app.js';
import { openApiDocument } from '../openapi.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/health', { config: { access: 'public', summary: "The server's own health: store readable, cluster reachable, version" } }, async (_request, reply) => {
    let store: { ok: boolean; error?: string };
    try {
      await ctx.core.store.read();
      store = { ok: true };
    } catch (error) {
      store = { ok: false, error: errorMessage(error) };
    }
    const live = ctx.live.reachable();
    const cluster = live ? { configured: true, description: ctx.live.cluster!.description, reachable: live.reachable, error: live.error } : { configured: false, reachable: false };
    const ok = store.ok && (!live || live.reachable);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', version: ctx.version, store, cluster });
  });

  app.get('/openapi.json', { config: { access: 'public', summary: 'This document' } }, async () => openApiDocument(ctx.routes, ctx.version));
};
