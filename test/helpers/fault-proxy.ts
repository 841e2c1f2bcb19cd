/**
 * An API server that misbehaves (issue 16's fault test), in front of the sandbox's plain HTTP:
 * every tenth request is dropped — alternately before it reaches the server (the request lost)
 * and after (the server acted, the answer lost) — and `restart()` cuts every connection and
 * watch and refuses new ones for a moment, as a restarting API server over etcd would (its
 * state kept).
 */
import http from 'node:http';
import type { Socket } from 'node:net';

export interface FaultProxy {
  url: string;
  counts: { requests: number; droppedBefore: number; droppedAfter: number; restarts: number };
  restart(downMs?: number): Promise<void>;
  /** The next request reaches no server and gets no answer, ever (a black hole). */
  swallowNext(): void;
  close(): Promise<void>;
}

export async function faultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const counts = { requests: 0, droppedBefore: 0, droppedAfter: 0, restarts: 0 };
  const sockets = new Set<Socket>();
  let down = false;
  let swallow = false;
  const server = http.createServer((req, res) => {
    counts.requests += 1;
    if (down) return req.socket.destroy();
    if (swallow) {
      swallow = false;
      return;
    }
    const drop = counts.requests % 10 === 0;
    const afterwards = drop && (counts.requests / 10) % 2 === 0;
    if (drop && !afterwards) {
      counts.droppedBefore += 1;
      return req.socket.destroy();
    }
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (afterwards && !/watch=/.test(req.url ?? '')) {
        counts.droppedAfter += 1;
        answer.resume();
        answer.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async restart(downMs = 1500) {
      counts.restarts += 1;
      down = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      down = false;
    },
    swallowNext() {
      swallow = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
