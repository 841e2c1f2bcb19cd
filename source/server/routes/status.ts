/** The status page (GET /) and the stream it reads: one `status` event now and on every change. */
import type { StatusReport } from '../../pipeline/status-report.js';
import type { RouteModule } from '../app.js';
import { requestLine } from '../app.js';
import { STATUS_PAGE, STATUS_STREAM_PATH } from '../status-page.js';
import { statusPageModel } from '../status-model.js';

/** Nothing from outside: the page's own inline style and script, and requests to this server. */
const PAGE_POLICY = "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
const KEEP_ALIVE_MS = 15_000;

export const statusRoutes: RouteModule = (app, ctx) => {
  app.get('/', { config: { access: 'public', summary: 'The status page (HTML): tenants × services, live' } }, async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_POLICY).header('cache-control', 'no-store').send(STATUS_PAGE),
  );

  app.get(STATUS_STREAM_PATH, { config: { access: 'read', summary: 'Server-sent events: `status` (the status page model) now and whenever it changes' } }, async (request, reply) => {
    const first = await ctx.live.report();
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const onReport = (report: StatusReport) => send('status', statusPageModel(report));
    const onFailure = (message: string) => send('failure', { message });
    onReport(first);
    ctx.live.on('report', onReport);
    ctx.live.on('failure', onFailure);
    const end = () => raw.end();
    ctx.live.once('closing', end);
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      ctx.live.off('report', onReport);
      ctx.live.off('failure', onFailure);
      ctx.live.off('closing', end);
      // A hijacked reply skips onResponse: the stream's line is written when it ends.
      ctx.log(requestLine(request, 200, reply.elapsedTime));
    });
  });
};
