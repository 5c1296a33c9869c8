import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OggPager } from '../../../../src/engine/stream/outputs/ogg-pages.js';
import { StreamSink } from '../../../../src/engine/stream/outputs/stream-sink.js';
import type { SourceConnection } from '../../../../src/engine/stream/outputs/source-client.js';

/** Builds one Ogg page: flags, granule, serial, sequence, one body segment. */
export function page(opts: { bos?: boolean; granule: bigint; seq: number; body: string }): Buffer {
  const body = Buffer.from(opts.body);
  const head = Buffer.alloc(28);
  head.write('OggS', 0);
  head[5] = opts.bos ? 0x02 : 0;
  head.writeBigUInt64LE(opts.granule, 6);
  head.writeUInt32LE(0x1234, 14);
  head.writeUInt32LE(opts.seq, 18);
  head[26] = 1;
  head[27] = body.length;
  return Buffer.concat([head, body]);
}

const stream = [
  page({ bos: true, granule: 0n, seq: 0, body: 'ident' }),
  page({ granule: 0n, seq: 1, body: 'comments+setup' }),
  page({ granule: 960n, seq: 2, body: 'audio1' }),
  page({ granule: 1920n, seq: 3, body: 'audio2' }),
];

test('splits a byte stream cut anywhere into whole pages', () => {
  const all = Buffer.concat(stream);
  for (const cut of [1, 3, 7, 27, 30, 50, all.length - 1]) {
    const pager = new OggPager();
    const pages = [...pager.push(all.subarray(0, cut)), ...pager.push(all.subarray(cut))];
    assert.equal(pages.map((p) => p.bytes.toString('latin1')), stream.map((p) => p.toString('latin1')), `cut at ${cut}`);
  }
});

test('remembers the header pages of the current logical stream', () => {
  const pager = new OggPager();
  const pages = pager.push(Buffer.concat(stream));
  assert.equal(pages.map((p) => p.isHeader), [true, true, false, false]);
  assert.is(pager.headers.length, 2);
  // A new chain (encoder restart) replaces them.
  pager.push(page({ bos: true, granule: 0n, seq: 0, body: 'ident2' }));
  assert.is(pager.headers.length, 1);
  assert.ok(pager.headers[0]!.toString().includes('ident2'));
});

test('skips garbage before a capture pattern', () => {
  const pager = new OggPager();
  const pages = pager.push(Buffer.concat([Buffer.from('junkOgg'), stream[0]!]));
  assert.is(pages.length, 1);
  assert.ok(pages[0]!.bos);
});

function fakeConnection(): SourceConnection & { data: Buffer[] } {
  const data: Buffer[] = [];
  return {
    data,
    write: (b: Buffer) => (data.push(b), true),
    writableLength: 0,
    bytesWritten: 0,
    close: () => {},
    onClose: () => {},
    remoteAddress: '127.0.0.1',
  };
}

test('a reconnect to an Ogg mount gets the headers again, then whole pages', () => {
  const sink = new StreamSink(true);
  sink.write(Buffer.concat(stream.slice(0, 3))); // nobody connected: discarded
  assert.is(sink.bytesSent, 0);
  assert.ok(sink.bytesDiscarded > 0);
  const conn = fakeConnection();
  sink.attach(conn);
  const half = stream[3]!.subarray(0, 10);
  sink.write(half);
  sink.write(stream[3]!.subarray(10));
  const sent = Buffer.concat(conn.data).toString('latin1');
  assert.is(sent, [stream[0], stream[1], stream[3]].map((b) => b!.toString('latin1')).join(''));
});

test('connecting while headers are still arriving sends each header once', () => {
  const sink = new StreamSink(true);
  sink.write(stream[0]!);
  const conn = fakeConnection();
  sink.attach(conn);
  sink.write(Buffer.concat(stream.slice(1)));
  assert.is(Buffer.concat(conn.data).toString('latin1'), Buffer.concat(stream).toString('latin1'));
});

test('a new chain whose BOS and header pages arrive in one chunk reaches the server whole', () => {
  // The codec restarted for new tags: its BOS, comment and first audio page come in one read.
  const sink = new StreamSink(true);
  const conn = fakeConnection();
  sink.write(Buffer.concat(stream.slice(0, 2)));
  sink.attach(conn);
  sink.write(stream[2]!);
  sink.encoderRestarted();
  const chain2 = [
    page({ bos: true, granule: 0n, seq: 0, body: 'ident2' }),
    page({ granule: 0n, seq: 1, body: 'comments2' }),
    page({ granule: 960n, seq: 2, body: 'audio2' }),
  ];
  sink.write(Buffer.concat(chain2));
  const expected = [...stream.slice(0, 3), ...chain2];
  assert.is(Buffer.concat(conn.data).toString('latin1'), Buffer.concat(expected).toString('latin1'));
});

test('a non-Ogg sink passes bytes through and counts what it discards', () => {
  const sink = new StreamSink(false);
  sink.write(Buffer.alloc(100));
  const conn = fakeConnection();
  sink.attach(conn);
  sink.write(Buffer.alloc(50));
  sink.detach();
  sink.write(Buffer.alloc(25));
  assert.is(sink.bytesSent, 50);
  assert.is(sink.bytesDiscarded, 125);
});

test.run();
