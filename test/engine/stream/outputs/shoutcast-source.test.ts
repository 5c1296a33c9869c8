import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import {
  CLOSED_AFTER_PASSWORD,
  buildShoutcastHeaders,
  buildShoutcastPasswordLine,
  classifyIcyReply,
  connectShoutcastV1,
} from '../../../../src/engine/stream/outputs/shoutcast-source.js';
import type { SourceConnection, SourceTarget } from '../../../../src/engine/stream/outputs/source-client.js';
import { SourceError } from '../../../../src/engine/stream/outputs/source-errors.js';
import { connectError, fakeTcp, until, within } from './fake-tcp.js';

const TARGET: SourceTarget = {
  host: '127.0.0.1',
  port: 8000,
  mount: '/',
  username: 'source',
  password: 'pass',
  contentType: 'audio/mpeg',
  name: 'My Station',
  genre: 'Rock',
  url: 'https://example.org/',
  description: 'not sent over ICY',
  isPublic: false,
  bitrateKbps: 128,
  sampleRate: 44100,
  channels: 2,
  shoutcastSid: null,
};

const OK2 = 'OK2\r\nicy-caps:11\r\n\r\n';

// --- a fake ICY source port: answers the password line through a callback --------------------

interface FakeConnection {
  passwordLine: string;
  /** Everything after the password line: headers, then audio. */
  rest: string;
  socket: net.Socket;
}

interface FakeIcyServer {
  /** The base port: the client must connect to basePort + 1, where this server listens. */
  basePort: number;
  connections: FakeConnection[];
  close(): Promise<void>;
}

async function fakeIcyServer(onPassword: (conn: FakeConnection) => void): Promise<FakeIcyServer> {
  const connections: FakeConnection[] = [];
  const tcp = await fakeTcp((socket) => {
    let pending = '';
    let conn: FakeConnection | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (conn) {
        conn.rest += chunk.toString('latin1');
        return;
      }
      pending += chunk.toString('latin1');
      const eol = pending.indexOf('\n');
      if (eol < 0) return;
      conn = { passwordLine: pending.slice(0, eol + 1), rest: pending.slice(eol + 1), socket };
      connections.push(conn);
      onPassword(conn);
    });
  });
  // The OS picks the ICY port; the configured base port is the one below it, so nothing
  // else needs to be free (the client never touches the base port).
  return { basePort: tcp.port - 1, connections, close: tcp.close };
}

// --- pure parts -----------------------------------------------------------------------------

test('buildShoutcastHeaders: exact block', () => {
  assert.is(
    buildShoutcastHeaders(TARGET),
    'content-type:audio/mpeg\r\n' +
      'icy-name:My Station\r\n' +
      'icy-genre:Rock\r\n' +
      'icy-url:https://example.org/\r\n' +
      'icy-pub:0\r\n' +
      'icy-br:128\r\n' +
      '\r\n',
  );
});

test('buildShoutcastHeaders: never an empty value (DNAS2 rejects those)', () => {
  assert.is(
    buildShoutcastHeaders({ ...TARGET, name: ' ', genre: null, url: '', bitrateKbps: null, isPublic: true, contentType: 'audio/aacp' }),
    'content-type:audio/aacp\r\nicy-name:RackCast\r\nicy-pub:1\r\n\r\n',
  );
  assert.match(buildShoutcastHeaders({ ...TARGET, name: 'A\r\nicy-pub:1' }), /\r\nicy-name:A icy-pub:1\r\n/);
});

test('buildShoutcastPasswordLine: :#sid only for stream IDs above 1', () => {
  assert.is(buildShoutcastPasswordLine(TARGET), 'pass\r\n');
  assert.is(buildShoutcastPasswordLine({ ...TARGET, shoutcastSid: 1 }), 'pass\r\n');
  assert.is(buildShoutcastPasswordLine({ ...TARGET, shoutcastSid: 2 }), 'pass:#2\r\n');
  assert.is(buildShoutcastPasswordLine({ ...TARGET, password: 'pa\r\nss' }), 'pass\r\n');
});

test('classifyIcyReply: OK2, error lines in any case, partial lines, EOF', () => {
  assert.is(classifyIcyReply(OK2, false), 'ok');
  assert.is(classifyIcyReply('ok\n', false), 'ok');
  assert.is(classifyIcyReply('O', false), 'pending');
  assert.is((classifyIcyReply('invalid password\r\n', false) as SourceError).kind, 'auth');
  assert.is((classifyIcyReply('INVALID PASSWORD\r\n', false) as SourceError).kind, 'auth');
  assert.is((classifyIcyReply('Stream In Use\r\n', false) as SourceError).kind, 'mount_busy');
  assert.is((classifyIcyReply('Bad Stream ID\r\n', false) as SourceError).kind, 'rejected');
  assert.is((classifyIcyReply('', true) as SourceError).detail, CLOSED_AFTER_PASSWORD);
  assert.is((classifyIcyReply('HTTP/1.0 400 Bad Request\r\n\r\n', false) as SourceError).kind, 'rejected');
  assert.is((classifyIcyReply('what?\r\n', false) as SourceError).kind, 'protocol');
});

// --- against fake servers -------------------------------------------------------------------

test('connect: password with :#2 on port+1, headers after OK2, then audio', async () => {
  const server = await fakeIcyServer((conn) => conn.socket.write(OK2));
  try {
    const conn = await within(
      connectShoutcastV1({ ...TARGET, port: server.basePort, shoutcastSid: 2 }),
      3000,
      'connect',
    );
    assert.is(conn.remoteAddress, '127.0.0.1');
    const fake = server.connections[0];
    assert.is(fake?.passwordLine, 'pass:#2\r\n');
    conn.write(Buffer.from('MP3DATA'));
    const expected = `${buildShoutcastHeaders(TARGET)}MP3DATA`;
    await until(() => fake?.rest.length === expected.length, 'headers and audio at the server');
    assert.is(fake?.rest, expected);
    conn.close();
  } finally {
    await server.close();
  }
});

test('connect: headers are not sent before OK2 arrives', async () => {
  let answer: () => void = () => {};
  const server = await fakeIcyServer((conn) => {
    answer = () => conn.socket.write(OK2);
  });
  try {
    const connecting = connectShoutcastV1({ ...TARGET, port: server.basePort });
    await until(() => server.connections.length === 1, 'the password line');
    await new Promise((r) => setTimeout(r, 50));
    assert.is(server.connections[0]?.rest, '', 'waits for OK2');
    answer();
    const conn = await within(connecting, 3000, 'connect');
    await until(() => (server.connections[0]?.rest ?? '').endsWith('\r\n\r\n'), 'headers');
    conn.close();
  } finally {
    await server.close();
  }
});

test('connect: invalid password (DNAS2 capitalised) rejects with auth', async () => {
  const server = await fakeIcyServer((conn) => conn.socket.end('Invalid Password\r\n'));
  try {
    const err = await connectError(connectShoutcastV1({ ...TARGET, port: server.basePort }));
    assert.is(err.kind, 'auth');
    assert.is(err.message, 'wrong password');
  } finally {
    await server.close();
  }
});

test('connect: Stream In Use rejects with mount_busy', async () => {
  const server = await fakeIcyServer((conn) => conn.socket.end('Stream In Use\r\n'));
  try {
    assert.is((await connectError(connectShoutcastV1({ ...TARGET, port: server.basePort }))).kind, 'mount_busy');
  } finally {
    await server.close();
  }
});

test('connect: closed without an answer (Icecast compat, wrong password) is auth with an explanation', async () => {
  const server = await fakeIcyServer((conn) => conn.socket.end());
  try {
    const err = await connectError(connectShoutcastV1({ ...TARGET, port: server.basePort }));
    assert.is(err.kind, 'auth');
    assert.is(err.detail, CLOSED_AFTER_PASSWORD);
  } finally {
    await server.close();
  }
});

test('connect: silence is a timeout', async () => {
  const server = await fakeIcyServer(() => {});
  try {
    const err = await connectError(connectShoutcastV1({ ...TARGET, port: server.basePort }, { answerTimeoutMs: 100 }));
    assert.is(err.kind, 'timeout');
    assert.is(err.message, 'server did not answer');
  } finally {
    await server.close();
  }
});

test('connection: OK2, then an HTTP 403 after the headers (Icecast compat busy mount) closes with mount_busy', async () => {
  const server = await fakeIcyServer((conn) => {
    conn.socket.write(OK2);
    conn.socket.on('data', () => {
      if (!conn.rest.includes('\r\n\r\n')) return;
      conn.socket.end('HTTP/1.0 403 Mountpoint in use\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMountpoint in use');
    });
  });
  try {
    const conn = await within(connectShoutcastV1({ ...TARGET, port: server.basePort }), 3000, 'connect');
    const err = await within(new Promise<SourceError | null>((resolve) => conn.onClose(resolve)), 3000, 'onClose');
    assert.is(err?.kind, 'mount_busy');
    assert.is(conn.write(Buffer.from('x')), false);
  } finally {
    await server.close();
  }
});

test('connect: a closed ICY port is unreachable', async () => {
  const server = await fakeIcyServer(() => {});
  const basePort = server.basePort;
  await server.close();
  const err = await connectError(connectShoutcastV1({ ...TARGET, port: basePort }));
  assert.is(err.kind, 'unreachable');
});

test.run();
