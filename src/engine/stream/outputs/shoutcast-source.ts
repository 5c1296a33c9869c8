// The SHOUTcast v1 ("ICY") source client (PROTOCOLS.md 3.1, 3.2, 4): password line on
// port+1, wait for OK2, then `key:value` headers and the audio. Works against DNAS 1, DNAS 2
// (stream IDs via `password:#sid`) and Icecast's shoutcast-compat socket.
import { classifyBareLine, classifyIcecastReply, excerpt, parseStatusLines } from './icecast-response.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  MAX_HEAD_BYTES,
  SocketSourceConnection,
  awaitReply,
  cleanHeaderValue,
  openSocket,
  resolveHost,
  type ConnectOptions,
  type SourceConnection,
  type SourceTarget,
} from './source-client.js';
import { SourceError } from './source-errors.js';
import { log } from '../../log.js';

const debug = log('source:shoutcast');

/** Unlike Icecast 2.5, every v1 server answers the password line, so silence is a failure. */
export const DEFAULT_ICY_ANSWER_TIMEOUT_MS = 5000;
/** DNAS2 refuses a source whose icy-name is empty. */
export const FALLBACK_STREAM_NAME = 'RackCast';
const VALUE_MAX_BYTES = 256;

export const CLOSED_AFTER_PASSWORD =
  'server closed the connection after the password (Icecast compatibility mode does this for a wrong password)';

/** The password line; DNAS2 picks the stream from a `:#sid` suffix, stream 1 needs none. */
export function buildShoutcastPasswordLine(target: SourceTarget): string {
  const password = target.password.replace(/[\r\n\0]/g, '');
  const sid = target.shoutcastSid;
  const suffix = typeof sid === 'number' && Number.isInteger(sid) && sid > 1 ? `:#${sid}` : '';
  return `${password}${suffix}\r\n`;
}

/** The header block sent after OK2, ending in the blank line. */
export function buildShoutcastHeaders(target: SourceTarget): string {
  const kbps = target.bitrateKbps;
  const headers: Array<[string, string]> = [
    ['content-type', cleanHeaderValue(target.contentType.split(';')[0], VALUE_MAX_BYTES)],
    ['icy-name', cleanHeaderValue(target.name, VALUE_MAX_BYTES) || FALLBACK_STREAM_NAME],
    // Omitted rather than empty: DNAS2 treats an empty value as a fatal header error.
    ['icy-genre', cleanHeaderValue(target.genre, VALUE_MAX_BYTES)],
    ['icy-url', cleanHeaderValue(target.url, VALUE_MAX_BYTES)],
    ['icy-pub', target.isPublic ? '1' : '0'],
    ['icy-br', typeof kbps === 'number' && Number.isFinite(kbps) && kbps > 0 ? String(Math.round(kbps)) : ''],
  ];
  const lines = headers.filter(([, value]) => value !== '').map(([name, value]) => `${name}:${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

type IcyVerdict = 'ok' | SourceError | 'pending';

/** The verdict on the server's answer to the password line. */
export function classifyIcyReply(text: string, ended: boolean): IcyVerdict {
  const said = text.replace(/\0/g, '').trimStart();
  if (/^ok/i.test(said)) return 'ok';
  const bare = classifyBareLine(said);
  if (bare) return bare;
  // An HTTP answer means port+1 is a web server (wrong port); report what it said.
  const lines = parseStatusLines(said);
  if (lines.length > 0) {
    const verdict = classifyIcecastReply(lines, said, 'SOURCE');
    if (verdict instanceof SourceError) return verdict;
    return new SourceError('protocol', excerpt(said));
  }
  if (ended) return said.trim() ? new SourceError('protocol', excerpt(said)) : new SourceError('auth', CLOSED_AFTER_PASSWORD);
  return said.includes('\n') ? new SourceError('protocol', excerpt(said)) : 'pending';
}

export async function connectShoutcastV1(target: SourceTarget, options: ConnectOptions = {}): Promise<SourceConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ICY_ANSWER_TIMEOUT_MS;
  const headers = buildShoutcastHeaders(target);
  if (Buffer.byteLength(headers) > MAX_HEAD_BYTES) {
    throw new Error(`stream details too long: the headers must fit in ${MAX_HEAD_BYTES} bytes`);
  }
  const address = await resolveHost(target.host);
  const socket = await openSocket(address, target.port + 1, connectTimeoutMs);
  socket.write(buildShoutcastPasswordLine(target));
  const { verdict, text } = await awaitReply(socket, {
    decide: classifyIcyReply,
    timeoutMs: answerTimeoutMs,
    onSilence: () => new SourceError('timeout', `no answer to the password within ${answerTimeoutMs} ms`),
  });
  if (verdict !== 'ok') {
    socket.destroy();
    throw verdict;
  }
  // A busy mount is only reported after these headers (DNAS2 "Stream In Use", Icecast an
  // HTTP 403), so the connection's watcher, not this handshake, turns it into mount_busy.
  socket.write(headers);
  debug('ICY source accepted by %s:%d', address, target.port + 1);
  return new SocketSourceConnection(socket, address, text.slice(text.lastIndexOf('\n') + 1));
}
