import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import net from 'node:net';
import { LineSplitter, MAX_LINE_BYTES, listenTcp, listenUdp, type LineHandlers } from '../../../src/engine/metadata/line-listeners.js';
import { freePort, waitFor } from '../../harness/util.js';

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
  assert.equal(listener.status, { listening: true, port, error: null });
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

test('TCP: a port in use is reported, not thrown', async () => {
  const port = await freePort();
  const first = await listenTcp(port, '127.0.0.1', collector().handlers);
  const second = await listenTcp(port, '127.0.0.1', collector().handlers);
  assert.equal(second.status, { listening: false, port, error: `port ${port} is already in use` });
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
