import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import net from 'node:net';
import { LINES_PER_TURN, LineSplitter, MAX_LINE_BYTES, MAX_TCP_CLIENTS, TCP_IDLE_MS, listenTcp, listenUdp, type LineHandlers } from '../../../src/engine/metadata/line-listeners.js';
import { freePort, sleep, waitFor } from '../../harness/util.js';

function collector() {
  const lines: string[] = [];
  const drops: string[] = [];
  const handlers: LineHandlers = { onLine: (b) => lines.push(b.toString('utf8')), onDrop: (reason) => drops.push(reason) };
  return { lines, drops, handlers };
}

test('LineSplitter: lines across chunks, blank lines skipped, last line at end', () => {
  const c = collector();
  const s = new LineSplitter(c.handlers, 10);
  s.push(Buffer.from('A - B\nC -'));
  s.push(Buffer.from(' D\r\n\n  \nE'));
  assert.equal(c.lines, ['A - B', 'C - D\r']);
  s.end();
  assert.equal(c.lines, ['A - B', 'C - D\r', 'E']);
});

test('LineSplitter: an over-long line is dropped whole and the next one is intact', () => {
  const c = collector();
  const s = new LineSplitter(c.handlers, 10);
  s.push(Buffer.from('0123456789'));
  s.push(Buffer.from('abc'));
  s.push(Buffer.from('def\nok\n'));
  assert.equal(c.lines, ['ok']);
  assert.equal(c.drops, ['too_long']);
});

test('TCP: lines from several clients; a flood on one loses nothing on the other', async () => {
  const port = await freePort();
  const c = collector();
  const listener = await listenTcp(port, '127.0.0.1', c.handlers);
  assert.equal(listener.status, {
    listening: true, port, error: null, connections: 0, max_connections: MAX_TCP_CLIENTS, idle_timeout_secs: TCP_IDLE_MS / 1000, closed_idle: 0, closed_for_room: 0,
  });
  const flood = net.connect(port, '127.0.0.1');
  const good = net.connect(port, '127.0.0.1');
  flood.write(Buffer.alloc(MAX_LINE_BYTES * 3, 0x41));
  good.write('Artist - Title\n');
  flood.write('\nafter - flood\n');
  good.end('No newline at close');
  flood.end();
  await waitFor(() => c.lines.length === 3, { timeoutMs: 2000 });
  assert.equal(c.lines.sort(), ['Artist - Title', 'No newline at close', 'after - flood']);
  assert.equal(c.drops, ['too_long']);
  await listener.close();
  assert.is(listener.status.listening, false);
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

const closed = (s: net.Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

test('TCP: 16 idle connections cannot lock the door: the 17th closes the one silent longest and its title gets in', async () => {
  const port = await freePort();
  const c = collector();
  const listener = await listenTcp(port, '127.0.0.1', c.handlers);
  const idle: net.Socket[] = [];
  for (let i = 0; i < MAX_TCP_CLIENTS; i++) {
    idle.push(await connect(port));
    await sleep(2);
  }
  idle[0]!.on('error', () => {});
  // The second one spoke last: it is no longer the longest silent after the first.
  idle[1]!.write('Early - Line\n');
  await waitFor(() => listener.status.connections === MAX_TCP_CLIENTS && c.lines.length === 1, { timeoutMs: 2000 });
  const late = await connect(port);
  late.end('Late - Comer\n');
  await waitFor(() => c.lines.includes('Late - Comer'), { timeoutMs: 2000, what: 'the 17th connection\'s title' });
  await closed(idle[0]!);
  assert.ok(!idle[1]!.destroyed, 'the one that spoke recently stays');
  await waitFor(() => listener.status.connections === MAX_TCP_CLIENTS - 1, { timeoutMs: 2000 });
  assert.equal([listener.status.closed_for_room, listener.status.closed_idle, listener.status.listening], [1, 0, true]);
  for (const s of idle) s.destroy();
  await listener.close();
  assert.is(listener.status.connections, 0);
});

test('TCP: a connection that sends no line for the idle time is closed; bytes without a newline do not count', async () => {
  const port = await freePort();
  const c = collector();
  const listener = await listenTcp(port, '127.0.0.1', c.handlers, { idleMs: 300 });
  assert.is(listener.status.idle_timeout_secs, 0.3);
  const talker = await connect(port);
  const dribbler = await connect(port);
  const talking = setInterval(() => talker.write('Still - Here\n'), 100);
  const dribbling = setInterval(() => dribbler.write('x'), 50);
  await closed(dribbler);
  clearInterval(dribbling);
  assert.ok(!talker.destroyed, 'a connection sending lines stays open');
  clearInterval(talking);
  await closed(talker);
  await waitFor(() => listener.status.connections === 0, { timeoutMs: 2000 });
  assert.is(listener.status.closed_idle, 2);
  assert.ok(c.lines.length >= 2);
  await listener.close();
});

test('TCP: a flood of short lines is handled a few hundred at a time, in order, nothing lost', async () => {
  const port = await freePort();
  const c = collector();
  let seenAtFirstTurn = -1;
  const handlers: LineHandlers = {
    onLine: (b) => {
      if (c.lines.length === 0) setImmediate(() => (seenAtFirstTurn = c.lines.length));
      c.handlers.onLine(b);
    },
    onDrop: c.handlers.onDrop,
  };
  const listener = await listenTcp(port, '127.0.0.1', handlers);
  const sock = await connect(port);
  const sent = Array.from({ length: 20_000 }, (_, i) => `${i}`);
  sock.end(`${sent.join('\n')}`);
  await waitFor(() => c.lines.length === sent.length, { timeoutMs: 5000, what: 'every line' });
  assert.equal(c.lines, sent, 'in order, the last one without a newline too');
  assert.ok(seenAtFirstTurn > 0 && seenAtFirstTurn <= LINES_PER_TURN, `the event loop got a turn after ${seenAtFirstTurn} lines`);
  await listener.close();
});

test('TCP: a port in use is reported, not thrown', async () => {
  const port = await freePort();
  const first = await listenTcp(port, '127.0.0.1', collector().handlers);
  const second = await listenTcp(port, '127.0.0.1', collector().handlers);
  assert.equal([second.status.listening, second.status.error], [false, `port ${port} is already in use`]);
  await second.close();
  await first.close();
});

test('UDP: one or more lines per datagram; oversized datagrams dropped', async () => {
  const port = await freePort();
  const c = collector();
  const listener = await listenUdp(port, '127.0.0.1', c.handlers);
  assert.ok(listener.status.listening);
  const sock = dgram.createSocket('udp4');
  const send = (b: Buffer): Promise<void> => new Promise((r) => sock.send(b, port, '127.0.0.1', () => r()));
  await send(Buffer.from('One - Datagram'));
  await send(Buffer.from('Two - A\nThree - B\n'));
  await send(Buffer.alloc(MAX_LINE_BYTES + 1, 0x42));
  await waitFor(() => c.lines.length === 3 && c.drops.length === 1, { timeoutMs: 2000 });
  assert.equal(c.lines, ['One - Datagram', 'Two - A', 'Three - B']);
  assert.equal(c.drops, ['too_long']);
  sock.close();
  await listener.close();
});

test.run();
