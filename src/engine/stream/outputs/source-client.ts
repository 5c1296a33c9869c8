// What the Icecast and SHOUTcast clients share: the target and connection types the encoder
// runner sees, and the socket plumbing under both handshakes. Raw `net` sockets throughout:
// Node's http client would chunk-encode the stream, which IC-2.4.4 cannot decode.
import { lookup } from 'node:dns/promises';
import net, { type Socket } from 'node:net';
import { detectLateFailure, excerpt } from './icecast-response.js';
import { SourceError, socketError } from './source-errors.js';
import { log } from '../../log.js';

const debug = log('source');

export interface SourceTarget {
  host: string;
  port: number;
  mount: string;
  username: string;
  password: string;
  contentType: string;
  name?: string | null;
  genre?: string | null;
  url?: string | null;
  description?: string | null;
  isPublic: boolean;
  bitrateKbps?: number | null;
  sampleRate: number;
  channels: number;
  shoutcastSid?: number | null;
}

export interface SourceConnection {
  /** False when the socket is backed up; the bytes are queued anyway. */
  write(chunk: Buffer): boolean;
  /** Bytes queued in user space that the kernel has not taken yet: the stall detector's input. */
  readonly writableLength: number;
  /** Audio bytes handed to write() on this connection (the handshake is not counted). */
  readonly bytesWritten: number;
  /** Idempotent. */
  close(): void;
  /** Fires once: null after our own close(), else why the server or network ended it. */
  onClose(listener: (err: SourceError | null) => void): void;
  /** The address actually connected to, so metadata updates reach the same server. */
  readonly remoteAddress: string;
  /** This end's address: Icecast accepts title updates only from the source's own IP. */
  readonly localAddress?: string;
}

export interface ConnectOptions {
  connectTimeoutMs?: number;
  answerTimeoutMs?: number;
  userAgent?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_USER_AGENT = 'RackCast';
/** Icecast reads the whole request head into one 4096-byte buffer (`PER_CLIENT_REFBUF_SIZE`). */
export const MAX_HEAD_BYTES = 4095;
/** How long an error reply may take to finish: its reason can follow the status line. */
const FAILURE_GRACE_MS = 250;
/** No handshake reply is anywhere near this long; more means we are not talking to a server. */
const MAX_REPLY_CHARS = 16 * 1024;

/** Cuts to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * A header value that cannot break the request: a CR or LF would end the header early (or
 * inject one), a NUL ends the C string the server parses. Line breaks become spaces so a
 * multi-line description stays readable.
 */
export function cleanHeaderValue(value: string | null | undefined, maxBytes: number): string {
  if (!value) return '';
  const flat = value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
    .trim();
  return truncateUtf8(flat, maxBytes).trim();
}

/** Resolved once per connect so a metadata update later goes to the very same server. */
export async function resolveHost(host: string): Promise<string> {
  const name = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (!name) throw new SourceError('unreachable', 'no server address configured');
  try {
    return (await lookup(name)).address;
  } catch (err) {
    throw socketError(err as NodeJS.ErrnoException, false);
  }
}

export function openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    // A network error must never become an uncaught exception; the phase-specific listeners
    // below (handshake, then SocketSourceConnection) are what act on it.
    socket.on('error', () => {});
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(socketError(err as NodeJS.ErrnoException, false));
    };
    // Without this a SYN into a firewall waits for the kernel's ~2 minute retry limit.
    const timer = setTimeout(() => {
      socket.off('error', onError);
      socket.destroy();
      reject(new SourceError('timeout', `no TCP connection after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      resolve(socket);
    });
  });
}

export interface ReplyRules<T> {
  /** The verdict on all text so far; `ended` once the server has closed. */
  decide(text: string, ended: boolean): T | SourceError | 'pending';
  timeoutMs: number;
  /** What silence for `timeoutMs` means: Icecast 2.5 never answers a PUT, DNAS always does. */
  onSilence(text: string): T | SourceError;
}

/**
 * Reads the server's answer to a handshake until `decide` has a verdict. Never rejects: the
 * caller owns the socket and must destroy it on a SourceError. Leaves the socket paused so no
 * byte is lost before the next reader attaches.
 */
export function awaitReply<T>(socket: Socket, rules: ReplyRules<T>): Promise<{ verdict: T | SourceError; text: string }> {
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    let graceTimer: NodeJS.Timeout | null = null;

    const finish = (verdict: T | SourceError): void => {
      if (done) return;
      done = true;
      clearTimeout(answerTimer);
      if (graceTimer) clearTimeout(graceTimer);
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      resolve({ verdict, text });
    };

    const evaluate = (ended: boolean, force: boolean): void => {
      const verdict = rules.decide(text, ended);
      if (verdict === 'pending') {
        if (!ended) return;
        const said = text.replace(/\0/g, '').trim();
        finish(said ? new SourceError('protocol', excerpt(said)) : new SourceError('closed', 'closed before answering'));
        return;
      }
      if (verdict instanceof SourceError && !ended && !force) {
        graceTimer ??= setTimeout(() => evaluate(false, true), FAILURE_GRACE_MS);
        return;
      }
      finish(verdict);
    };

    const onData = (chunk: Buffer): void => {
      // latin1 maps bytes 1:1, so a UTF-8 sequence split across reads cannot corrupt the text.
      text += chunk.toString('latin1');
      if (text.length > MAX_REPLY_CHARS) finish(new SourceError('protocol', excerpt(text)));
      else evaluate(false, false);
    };
    const onEnd = (): void => evaluate(true, true);
    const onError = (err: NodeJS.ErrnoException): void => {
      // A reset right after an error reply is common; the reply is the better explanation.
      if (text.trim() || err.code === 'ECONNRESET' || err.code === 'EPIPE') evaluate(true, true);
      else finish(socketError(err, false));
    };
    const answerTimer = setTimeout(() => {
      if (!graceTimer) finish(rules.onSilence(text));
    }, rules.timeoutMs);

    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}

/** An accepted source connection: audio goes out, and the server is watched for a goodbye. */
export class SocketSourceConnection implements SourceConnection {
  /** undefined while open; then the reason it closed (null = our own close()). */
  private closedWith: SourceError | null | undefined = undefined;
  private readonly listeners: Array<(err: SourceError | null) => void> = [];
  private heard: string;
  private graceTimer: NodeJS.Timeout | null = null;
  private audioBytes = 0;

  /** `leftover`: handshake text after its last line break, in case a status line was split. */
  constructor(
    private readonly socket: Socket,
    readonly remoteAddress: string,
    leftover: string,
  ) {
    this.heard = leftover;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.finish(detectLateFailure(this.heard, true) ?? new SourceError('closed')));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.finish(detectLateFailure(this.heard, true) ?? socketError(err, true)),
    );
    socket.on('close', () => this.finish(new SourceError('closed')));
    socket.resume();
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get bytesWritten(): number {
    return this.audioBytes;
  }

  write(chunk: Buffer): boolean {
    if (this.closedWith !== undefined) return false;
    this.audioBytes += chunk.length;
    return this.socket.write(chunk);
  }

  close(): void {
    this.finish(null);
  }

  onClose(listener: (err: SourceError | null) => void): void {
    if (this.closedWith === undefined) this.listeners.push(listener);
    else {
      const err = this.closedWith;
      queueMicrotask(() => listener(err));
    }
  }

  private onData(chunk: Buffer): void {
    // Servers do not send anything we need after acceptance; this only looks for a goodbye.
    this.heard += chunk.toString('latin1');
    if (this.graceTimer) {
      this.heard = this.heard.slice(-MAX_REPLY_CHARS);
      return;
    }
    const failure = detectLateFailure(this.heard, false);
    if (failure) {
      this.graceTimer = setTimeout(() => this.finish(detectLateFailure(this.heard, true) ?? failure), FAILURE_GRACE_MS);
      return;
    }
    this.heard = this.heard.slice(this.heard.lastIndexOf('\n') + 1).slice(-4096);
  }

  private finish(err: SourceError | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.socket.destroy();
    if (err) debug('connection to %s ended: %s (%s)', this.remoteAddress, err.message, err.detail);
    for (const listener of this.listeners.splice(0)) listener(err);
  }
}
