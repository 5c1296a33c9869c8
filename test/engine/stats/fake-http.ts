// A fake stats server on loopback that replays recorded replies byte for byte (or never answers),
// and remembers every request it got.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fixture } from './fixtures.js';

export interface SeenRequest {
  path: string;
  headers: Map<string, string>;
  at: number;
}

/** A fixture file name, a raw reply, or 'hang' (accept, read, never answer). */
export type Answer = string | { raw: string } | 'hang';

export interface FakeServer {
  port: number;
  host: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export function rawReply(status: number, body: string, contentType = 'application/json'): { raw: string } {
  return { raw: `HTTP/1.0 ${status} X\r\nContent-Type: ${contentType}\r\nConnection: close\r\n\r\n${body}` };
}

export async function fakeStatsServer(route: (path: string) => Answer): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [line = '', ...lines] = head.slice(0, end).split('\r\n');
      const path = line.split(' ')[1] ?? '';
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
      requests.push({ path, headers, at: Date.now() });
      head = '';
      const answer = route(path);
      if (answer === 'hang') return;
      socket.end(typeof answer === 'string' ? fixture(answer).raw : answer.raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
