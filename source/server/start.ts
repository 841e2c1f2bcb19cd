/** Starts the application on a host and port; what `ecp serve` and the tests run. */
import type { AddressInfo } from 'node:net';
import { buildServer, type ServerOptions } from './app.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions & { host: string; port: number }): Promise<RunningServer> {
  const { app, live } = await buildServer(options);
  await live.start();
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    // A port in use (or not ours to take) must not leave the live watch holding the process open.
    await live.stop();
    await app.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.https ? 'https' : 'http'}://${host}:${address.port}`,
    port: address.port,
    async close() {
      await app.close();
      await live.stop();
    },
  };
}
