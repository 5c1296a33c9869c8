// Small pieces shared by the source-client tests: a loopback TCP server whose sockets can all be
// cut at once, and waits that fail a test instead of hanging it.
import net from 'node:net';
import { SourceError } from '../../../../src/engine/stream/outputs/source-errors.js';
import type { SourceConnection } from '../../../../src/engine/stream/outputs/source-client.js';

export interface FakeTcp {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a port the OS picks; `close()` destroys every open socket first. */
export function fakeTcp(onSocket: (socket: net.Socket) => void): Promise<FakeTcp> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Fails the test instead of hanging it when a promise never settles. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);
}

/** The SourceError a connect attempt ends with; throws if it connects. */
export async function connectError(promise: Promise<SourceConnection>): Promise<SourceError> {
  try {
    const conn = await within(promise, 3000, 'connect');
    conn.close();
  } catch (err) {
    if (err instanceof SourceError) return err;
    throw err;
  }
  throw new Error('connect unexpectedly succeeded');
}

export async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
