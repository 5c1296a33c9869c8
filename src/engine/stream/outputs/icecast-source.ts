// The Icecast source client (PROTOCOLS.md 1.7): PUT with `Expect: 100-continue`, falling
// back once to the legacy SOURCE method for servers that do not know PUT.
import { classifyIcecastReply, parseStatusLines } from './icecast-response.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
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

const debug = log('source:icecast');

/** libshout's figure: a little under half of Icecast's default 10 s source timeout. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 4000;

// Per-field caps keep the head under MAX_HEAD_BYTES with room for a long mount and password;
// Icecast's status pages would not show more anyway.
const NAME_MAX_BYTES = 256;
const DESCRIPTION_MAX_BYTES = 1024;
const USER_AGENT_MAX_BYTES = 128;

export type IcecastMethod = 'PUT' | 'SOURCE';

/** The mount as a request path: leading slash (IC-2.4.4 answers 401 without one), escaped. */
function requestPath(mount: string): string {
  const clean = cleanHeaderValue(mount, 1024).replace(/\s+/g, ' ');
  const path = clean.startsWith('/') ? clean : `/${clean}`;
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (ch) => encodeURIComponent(ch));
}

function hostHeader(host: string, port: number): string {
  const name = cleanHeaderValue(host, 255);
  return name.includes(':') && !name.startsWith('[') ? `[${name}]:${port}` : `${name}:${port}`;
}

function knownBitrate(target: SourceTarget): number | null {
  const kbps = target.bitrateKbps;
  return typeof kbps === 'number' && Number.isFinite(kbps) && kbps > 0 ? Math.round(kbps) : null;
}

/** The request head, byte for byte, ending in the blank line. */
export function buildIcecastRequestHead(target: SourceTarget, method: IcecastMethod, userAgent: string): string {
  const credentials = `${target.username || 'source'}:${target.password}`;
  const bitrate = knownBitrate(target);
  const audioInfo = [`ice-samplerate=${target.sampleRate}`];
  if (bitrate !== null) audioInfo.push(`ice-bitrate=${bitrate}`);
  audioInfo.push(`ice-channels=${target.channels}`);

  const headers: Array<[string, string]> = [
    ['Host', hostHeader(target.host, target.port)],
    ['Authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`],
    ['User-Agent', cleanHeaderValue(userAgent, USER_AGENT_MAX_BYTES) || DEFAULT_USER_AGENT],
    // IC-2.4.4 matches the type with strcmp: "audio/ogg; codecs=opus" would not be Ogg to it.
    ['Content-Type', cleanHeaderValue(target.contentType.split(';')[0], NAME_MAX_BYTES)],
    ['ice-name', cleanHeaderValue(target.name, NAME_MAX_BYTES)],
    ['ice-description', cleanHeaderValue(target.description, DESCRIPTION_MAX_BYTES)],
    ['ice-genre', cleanHeaderValue(target.genre, NAME_MAX_BYTES)],
    ['ice-url', cleanHeaderValue(target.url, NAME_MAX_BYTES)],
    ['ice-public', target.isPublic ? '1' : '0'],
    ['ice-bitrate', bitrate === null ? '' : String(bitrate)],
    ['ice-audio-info', audioInfo.join(';')],
  ];
  if (method === 'PUT') headers.push(['Expect', '100-continue']);

  const version = method === 'PUT' ? 'HTTP/1.1' : 'HTTP/1.0';
  const lines = [`${method} ${requestPath(target.mount)} ${version}`];
  for (const [name, value] of headers) if (value !== '') lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

type Attempt = SourceConnection | 'retry_with_source';

async function attempt(
  target: SourceTarget,
  address: string,
  method: IcecastMethod,
  opts: Required<ConnectOptions>,
): Promise<Attempt> {
  const head = buildIcecastRequestHead(target, method, opts.userAgent);
  if (Buffer.byteLength(head) > MAX_HEAD_BYTES) {
    // Only the mount and the credentials are never shortened; Icecast would drop us silently.
    throw new Error(`mount and password too long: the request must fit in ${MAX_HEAD_BYTES} bytes`);
  }
  const socket = await openSocket(address, target.port, opts.connectTimeoutMs);
  socket.write(head);
  const { verdict, text } = await awaitReply(socket, {
    decide: (received) => classifyIcecastReply(parseStatusLines(received), received, method),
    timeoutMs: opts.answerTimeoutMs,
    // Icecast 2.5 answers a PUT with Expect with 100 only and without Expect not at all.
    onSilence: () => 'accepted' as const,
  });
  if (verdict !== 'accepted') {
    socket.destroy();
    if (verdict === 'retry_with_source') return verdict;
    throw verdict;
  }
  debug('%s %s accepted by %s:%d', method, target.mount, address, target.port);
  return new SocketSourceConnection(socket, address, text.slice(text.lastIndexOf('\n') + 1));
}

/** Connects, authenticates and returns a connection ready for audio; rejects with a SourceError. */
export async function connectIcecast(target: SourceTarget, options: ConnectOptions = {}): Promise<SourceConnection> {
  const opts: Required<ConnectOptions> = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    answerTimeoutMs: options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
  };
  const address = await resolveHost(target.host);
  const first = await attempt(target, address, 'PUT', opts);
  if (first !== 'retry_with_source') return first;
  debug('PUT not understood by %s:%d, retrying with SOURCE', address, target.port);
  const second = await attempt(target, address, 'SOURCE', opts);
  // classifyIcecastReply never asks to retry a SOURCE request; this guards the types only.
  if (second === 'retry_with_source') throw new SourceError('rejected', 'PUT and SOURCE both refused');
  return second;
}
