// The off-air monitor's own listener connection against real sockets: a SHOUTcast v1 "ICY 200 OK" and
// an Icecast "HTTP/1.0 200 OK" both deliver the body from its first byte; a refusal, a 404 and a
// server that hangs up end it with words an operator can act on; a paused read waits for resume().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { listenToMount } from '../../../src/engine/live-listen/mount-listener.js';
import { freePort } from '../../harness/util.js';

async function server(answer: (request: string, socket: net.Socket) => void): Promise<{ url: string; close(): void }> {
  const s = net.createServer((c) => c.once('data', (d) => answer(d.toString('latin1'), c)));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}/;`, close: () => s.close() };
}

function collect(url: string, pauseAfterFirst = false): Promise<{ body: Buffer; why: string; paused: boolean; resume(): void }> & { listener?: unknown } {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let paused = false;
    const l = listenToMount(url, {
      onData: (chunk) => {
        parts.push(chunk);
        if (pauseAfterFirst && !paused) {
          paused = true;
          setTimeout(() => l.resume(), 300);
          return false;
        }
        return true;
      },
      onEnd: (why) => resolve({ body: Buffer.concat(parts), why, paused, resume: () => l.resume() }),
    });
  });
}

test('ICY 200 and HTTP/1.0 200: the body from its first byte, headers kept out; the request asks for no inline titles', async () => {
  for (const status of ['ICY 200 OK', 'HTTP/1.0 200 OK']) {
    let request = '';
    const s = await server((req, c) => {
      request = req;
      c.write(`${status}\r\ncontent-type: audio/aacp\r\nicy-name: Test\r\n\r\n\xff\xf1body-`, 'latin1');
      setTimeout(() => c.end('more'), 50);
    });
    const got = await collect(s.url, true);
    s.close();
    assert.is(got.body.toString('latin1'), '\xff\xf1body-more', status);
    assert.is(got.why, 'the server ended the stream');
    assert.ok(got.paused);
    assert.match(request, /^GET \/; HTTP\/1\.0\r\n/);
    assert.match(request, /\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    assert.not.match(request, /icy-metadata/i);
  }
});

test('refused, a 404, no answer at all: each ends with why', async () => {
  const port = await freePort();
  assert.is((await collect(`http://127.0.0.1:${port}/live.aac`)).why, 'connection refused');
  const missing = await server((_req, c) => c.end('HTTP/1.0 404 File Not Found\r\nContent-Type: text/html\r\n\r\n<b>no</b>'));
  const got = await collect(missing.url);
  missing.close();
  assert.is(got.why, 'the server answered "HTTP/1.0 404 File Not Found"');
  assert.is(got.body.length, 0);
  const silent = await server((_req, c) => c.end());
  assert.is((await collect(silent.url)).why, 'the server closed the connection without an answer');
  silent.close();
});

test.run();
