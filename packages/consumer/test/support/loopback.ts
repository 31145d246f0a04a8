// Listening on and closing a test server on loopback (an ephemeral port on 127.0.0.1), for every test server here.
import type { Server } from 'node:net';

/** Listens on 127.0.0.1 on a free port and resolves that port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Closes the server and every connection it holds (keep-alive included), resolving once it is closed. */
export function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
