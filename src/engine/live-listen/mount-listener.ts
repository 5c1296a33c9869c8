// The off-air monitor's connection: the engine asks the server for the mount as any listener would
// and hands the body on as it arrives. Its own small client, not node:http, because a SHOUTcast v1
// server answers "ICY 200 OK", which node's parser refuses; HTTP/1.0, so nothing comes chunked.
// The body is the stream exactly as listeners get it (no Icy-MetaData asked for, so no inline titles).
import net from 'node:net';
import { MAX_HEAD_BYTES } from '../stream/outputs/source-client.js';

export const MOUNT_LISTENER_USER_AGENT = 'RackCast live listen';
const CONNECT_TIMEOUT_MS = 5000;

export interface MountListenerHandlers {
  /** Body bytes; return false to pause the connection until resume(). */
  onData(chunk: Buffer): boolean;
  /** The connection is over, with why in an operator's words. Called once. */
  onEnd(why: string): void;
}

export interface MountListener {
  resume(): void;
  stop(): void;
}

export function listenToMount(url: string, handlers: MountListenerHandlers): MountListener {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : 80;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const socket = net.connect({ host, port });
  let head: Buffer | null = Buffer.alloc(0);
  let ended = false;
  const end = (why: string): void => {
    if (ended) return;
    ended = true;
    socket.destroy();
    handlers.onEnd(why);
  };
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => end(head ? 'no answer from the server' : 'the server stopped sending'));
  socket.on('connect', () => {
    socket.write(`GET ${u.pathname}${u.search} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: ${MOUNT_LISTENER_USER_AGENT}\r\nAccept: */*\r\n\r\n`);
  });
  socket.on('data', (chunk: Buffer) => {
    if (ended) return;
    if (head) {
      head = Buffer.concat([head, chunk]);
      const at = head.indexOf('\r\n\r\n');
      if (at < 0) {
        if (head.length > MAX_HEAD_BYTES) end('the server sent no end to its headers');
        return;
      }
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^(?:HTTP\/1\.[01]|ICY) 200\b/.test(status)) return end(`the server answered "${status.slice(0, 80)}"`);
      const body = head.subarray(at + 4);
      head = null;
      if (body.length && !handlers.onData(body)) socket.pause();
      return;
    }
    if (!handlers.onData(chunk)) socket.pause();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => end(err.code === 'ECONNREFUSED' ? 'connection refused' : err.message));
  socket.on('close', () => end(head ? 'the server closed the connection without an answer' : 'the server ended the stream'));
  return {
    resume: () => {
      if (!ended) socket.resume();
    },
    stop: () => {
      ended = true;
      socket.destroy();
    },
  };
}
