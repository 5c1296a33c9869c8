import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { buildIcecastRequestHead, connectIcecast } from '../../../../src/engine/stream/outputs/icecast-source.js';
import type { SourceConnection, SourceTarget } from '../../../../src/engine/stream/outputs/source-client.js';
import { SourceError } from '../../../../src/engine/stream/outputs/source-errors.js';
import { connectError, fakeTcp, until, within } from './fake-tcp.js';

const TARGET: SourceTarget = {
  host: '127.0.0.1',
  port: 8000,
  mount: '/live.mp3',
  username: 'source',
  password: 'hackme',
  contentType: 'audio/mpeg',
  name: 'My Station',
  genre: 'Rock',
  url: 'https://example.org/',
  description: 'Live from the rack',
  isPublic: false,
  bitrateKbps: 128,
  sampleRate: 48000,
  channels: 2,
  shoutcastSid: null,
};

const CONTINUE = 'HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n';

// --- a fake Icecast: records each connection's head and body, answers via a callback ----------

interface FakeConnection {
  head: string;
  body: Buffer;
  socket: net.Socket;
}

interface FakeServer {
  port: number;
  connections: FakeConnection[];
  close(): Promise<void>;
}

async function fakeServer(onHead: (conn: FakeConnection, index: number) => void): Promise<FakeServer> {
  const connections: FakeConnection[] = [];
  const tcp = await fakeTcp((socket) => {
    let pending = Buffer.alloc(0);
    let conn: FakeConnection | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (conn) {
        conn.body = Buffer.concat([conn.body, chunk]);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      conn = { head: pending.subarray(0, end + 4).toString('utf8'), body: pending.subarray(end + 4), socket };
      connections.push(conn);
      onHead(conn, connections.length - 1);
    });
  });
  return { port: tcp.port, connections, close: tcp.close };
}

function nextClose(conn: SourceConnection): Promise<SourceError | null> {
  return within(new Promise((resolve) => conn.onClose(resolve)), 3000, 'onClose');
}

// --- the request head ---------------------------------------------------------------------

test('buildIcecastRequestHead: PUT, byte for byte', () => {
  assert.is(
    buildIcecastRequestHead(TARGET, 'PUT', 'RackCast/1.0'),
    'PUT /live.mp3 HTTP/1.1\r\n' +
      'Host: 127.0.0.1:8000\r\n' +
      'Authorization: Basic c291cmNlOmhhY2ttZQ==\r\n' +
      'User-Agent: RackCast/1.0\r\n' +
      'Content-Type: audio/mpeg\r\n' +
      'ice-name: My Station\r\n' +
      'ice-description: Live from the rack\r\n' +
      'ice-genre: Rock\r\n' +
      'ice-url: https://example.org/\r\n' +
      'ice-public: 0\r\n' +
      'ice-bitrate: 128\r\n' +
      'ice-audio-info: ice-samplerate=48000;ice-bitrate=128;ice-channels=2\r\n' +
      'Expect: 100-continue\r\n' +
      '\r\n',
  );
});

test('buildIcecastRequestHead: SOURCE is HTTP/1.0 without Expect; empty fields are left out', () => {
  const target: SourceTarget = {
    ...TARGET,
    host: 'radio.example.org',
    name: '',
    description: null,
    genre: undefined,
    url: '  ',
    isPublic: true,
    bitrateKbps: null,
    contentType: 'audio/ogg; codecs=opus',
    channels: 1,
  };
  assert.is(
    buildIcecastRequestHead(target, 'SOURCE', 'RackCast'),
    'SOURCE /live.mp3 HTTP/1.0\r\n' +
      'Host: radio.example.org:8000\r\n' +
      'Authorization: Basic c291cmNlOmhhY2ttZQ==\r\n' +
      'User-Agent: RackCast\r\n' +
      'Content-Type: audio/ogg\r\n' +
      'ice-public: 1\r\n' +
      'ice-audio-info: ice-samplerate=48000;ice-channels=1\r\n' +
      '\r\n',
  );
});

test('buildIcecastRequestHead: CR, LF and NUL cannot inject headers', () => {
  const head = buildIcecastRequestHead(
    { ...TARGET, name: 'Evil\r\nX-Injected: 1', genre: 'Ro\0ck', url: 'http://x/\n', mount: 'live mp3' },
    'PUT',
    'UA\r\nX-Other: 2',
  );
  assert.not.match(head, /\r\nX-Injected/);
  assert.not.match(head, /\r\nX-Other/);
  assert.not.match(head, /\0/);
  assert.match(head, /\r\nice-name: Evil X-Injected: 1\r\n/);
  assert.match(head, /\r\nice-genre: Rock\r\n/);
  assert.match(head, /\r\nice-url: http:\/\/x\/\r\n/);
  // IC-2.4.4 answers 401 to a mount without a leading slash; a space would split the request line.
  assert.ok(head.startsWith('PUT /live%20mp3 HTTP/1.1\r\n'), head.split('\r\n')[0]);
  assert.is(head.indexOf('\r\n\r\n'), head.length - 4);
});

test('buildIcecastRequestHead: very long values are cut so the head fits 4095 bytes', () => {
  const huge = 'ü'.repeat(5000);
  const head = buildIcecastRequestHead({ ...TARGET, name: huge, description: huge, genre: huge, url: huge }, 'PUT', huge);
  assert.ok(Buffer.byteLength(head) <= 4095, `head is ${Buffer.byteLength(head)} bytes`);
  assert.ok(head.endsWith('\r\nExpect: 100-continue\r\n\r\n'));
  assert.not.match(head, /\uFFFD/, 'no character cut in half');
  assert.match(head, /\r\nice-description: üü/);
});

// --- against fake servers -------------------------------------------------------------------

test('connect: 100 and 200 in one read is accepted; audio bytes reach the server', async () => {
  const server = await fakeServer((conn) => conn.socket.write(`${CONTINUE}HTTP/1.0 200 OK\r\n\r\n`));
  try {
    const conn = await within(connectIcecast({ ...TARGET, port: server.port }), 3000, 'connect');
    assert.is(conn.remoteAddress, '127.0.0.1');
    assert.ok(server.connections[0]?.head.startsWith('PUT /live.mp3 HTTP/1.1\r\n'));
    const audio = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0x00, 0x0d, 0x0a, 0x00]);
    conn.write(audio);
    conn.write(audio);
    assert.is(conn.bytesWritten, 16);
    await until(() => (server.connections[0]?.body.length ?? 0) >= 16, 'audio at the server');
    assert.equal(server.connections[0]?.body, Buffer.concat([audio, audio]));
    const closed = nextClose(conn);
    conn.close();
    conn.close();
    assert.is(await closed, null);
    assert.is(conn.write(audio), false, 'no writes after close');
  } finally {
    await server.close();
  }
});

test('connect: no answer at all is accepted after answerTimeoutMs (IC-2.5 behaviour)', async () => {
  const server = await fakeServer(() => {});
  try {
    const started = Date.now();
    const conn = await within(connectIcecast({ ...TARGET, port: server.port }, { answerTimeoutMs: 150 }), 3000, 'connect');
    assert.ok(Date.now() - started >= 140, 'waited for the answer timeout');
    conn.write(Buffer.from('abc'));
    await until(() => server.connections[0]?.body.toString() === 'abc', 'audio at the server');
    conn.close();
  } finally {
    await server.close();
  }
});

test('connect: 401 rejects with kind auth', async () => {
  const server = await fakeServer((conn) =>
    conn.socket.end('HTTP/1.0 401 Authentication Required\r\nWWW-Authenticate: Basic realm="Icecast2 Server"\r\n\r\nYou need to authenticate\r\n'),
  );
  try {
    const err = await connectError(connectIcecast({ ...TARGET, port: server.port }));
    assert.is(err.kind, 'auth');
    assert.is(err.message, 'wrong password');
    assert.is(server.connections.length, 1, 'no retry on a wrong password');
  } finally {
    await server.close();
  }
});

test('connect: 403 Mountpoint in use rejects with mount_busy, even with the reason in a later read', async () => {
  const server = await fakeServer((conn) => {
    conn.socket.write('HTTP/1.0 403 Forbidden\r\nConnection: Close\r\n\r\n');
    setTimeout(() => conn.socket.end('Mountpoint in use'), 30);
  });
  try {
    const err = await connectError(connectIcecast({ ...TARGET, port: server.port }));
    assert.is(err.kind, 'mount_busy');
  } finally {
    await server.close();
  }
});

test('connect: 400 to PUT retries once with SOURCE on a new connection', async () => {
  const server = await fakeServer((conn, index) => {
    if (index === 0) conn.socket.end('HTTP/1.0 400 unknown request\r\n\r\n');
    else conn.socket.write('HTTP/1.0 200 OK\r\n\r\n');
  });
  try {
    const conn = await within(connectIcecast({ ...TARGET, port: server.port }), 3000, 'connect');
    assert.is(server.connections.length, 2);
    assert.ok(server.connections[0]?.head.startsWith('PUT /live.mp3 HTTP/1.1\r\n'));
    const second = server.connections[1]?.head ?? '';
    assert.ok(second.startsWith('SOURCE /live.mp3 HTTP/1.0\r\n'), second);
    assert.not.match(second, /Expect:/);
    conn.close();
  } finally {
    await server.close();
  }
});

test('connect: 400 to SOURCE too is a refusal, with no third try', async () => {
  const server = await fakeServer((conn) => conn.socket.end('HTTP/1.0 400 unknown request\r\n\r\n'));
  try {
    const err = await connectError(connectIcecast({ ...TARGET, port: server.port }));
    assert.is(err.kind, 'rejected');
    assert.is(server.connections.length, 2);
  } finally {
    await server.close();
  }
});

test('connect: closed without an answer, and garbage, are errors', async () => {
  const silent = await fakeServer((conn) => conn.socket.end());
  const chatty = await fakeServer((conn) => conn.socket.write('220 smtp.example.org ESMTP\r\n'));
  try {
    assert.is((await connectError(connectIcecast({ ...TARGET, port: silent.port }))).kind, 'closed');
    const garbage = await connectError(connectIcecast({ ...TARGET, port: chatty.port }));
    assert.is(garbage.kind, 'protocol');
    assert.match(garbage.message, /220 smtp\.example\.org/);
  } finally {
    await silent.close();
    await chatty.close();
  }
});

test('connection: the server closing later reports closed', async () => {
  const server = await fakeServer((conn) => {
    conn.socket.write(CONTINUE);
    setTimeout(() => conn.socket.end(), 100);
  });
  try {
    const conn = await within(connectIcecast({ ...TARGET, port: server.port }), 3000, 'connect');
    const err = await nextClose(conn);
    assert.instance(err, SourceError);
    assert.is(err?.kind, 'closed');
    assert.is(err?.message, 'server closed the connection');
    const late = await within(new Promise((resolve) => conn.onClose(resolve)), 1000, 'late onClose');
    assert.is(late, err, 'a listener added after the close still hears why');
  } finally {
    await server.close();
  }
});

test('connection: a 403 after the 100 (icecast-kh) closes with mount_busy', async () => {
  const server = await fakeServer((conn) => {
    conn.socket.write(CONTINUE);
    setTimeout(() => conn.socket.write('HTTP/1.0 403 Mountpoint in use\r\n\r\n'), 100);
  });
  try {
    const conn = await within(connectIcecast({ ...TARGET, port: server.port }), 3000, 'connect');
    const err = await nextClose(conn);
    assert.is(err?.kind, 'mount_busy');
  } finally {
    await server.close();
  }
});

test('connect: a closed port is unreachable (connection refused)', async () => {
  const server = await fakeServer(() => {});
  const port = server.port;
  await server.close();
  const err = await connectError(connectIcecast({ ...TARGET, port }));
  assert.is(err.kind, 'unreachable');
  assert.is(err.message, 'server unreachable (connection refused)');
});

test('connect: an empty host is unreachable without touching the network', async () => {
  const err = await connectError(connectIcecast({ ...TARGET, host: ' ' }));
  assert.is(err.kind, 'unreachable');
});

test.run();
