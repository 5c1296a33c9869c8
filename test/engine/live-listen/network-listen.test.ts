// The network listeners' shared MP3 encoder (real ffmpeg, real HTTP): started with the first MP3
// listener, stopped after the last, and a listener who arrives while that encoder is still winding
// down gets a stream that goes on (the old run's exit once cut the new run's input, and the stream
// stopped after a second or two).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { NetworkListen } from '../../../src/engine/live-listen/network-listen.js';
import { sinePcm } from '../../harness/signal.js';
import { sleep } from '../../harness/util.js';

const RATE = 48000;

test('a listener who comes just as the last one left still gets MP3 for as long as the PCM flows', async () => {
  const listen = new NetworkListen({ format: { rate: RATE, channels: 2 }, onCountChange: () => undefined });
  const server = http.createServer((_req, res) => listen.add(res, 'mp3'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const tone = sinePcm({ freqHz: 1000, seconds: 0.1, rate: RATE, channels: 2, amplitude: 0.5 });
  let feeding = true;
  const feeder = (async () => {
    while (feeding) {
      listen.feed(tone);
      await sleep(100);
    }
  })();
  const connect = (): Promise<{ bytes: () => number; at: number[]; close: () => void }> =>
    new Promise((resolve, reject) => {
      let bytes = 0;
      const at: number[] = [];
      const req = http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          at.push(Date.now());
        });
        resolve({ bytes: () => bytes, at, close: () => req.destroy() });
      });
      req.on('error', reject);
    });
  try {
    const first = await connect();
    await sleep(1500);
    assert.ok(first.bytes() > 4000, `the first listener got ${first.bytes()} bytes`);
    first.close();
    await sleep(20);
    const second = await connect();
    await sleep(4000);
    const lastSecond = second.at.filter((t) => t > Date.now() - 1000).length;
    assert.ok(lastSecond > 0, `the second listener's stream stopped: ${second.bytes()} bytes, the last ${((Date.now() - (second.at.at(-1) ?? 0)) / 1000).toFixed(1)} s ago`);
    assert.ok(second.bytes() > 30_000, `the second listener got ${second.bytes()} bytes in 4 s (128 kbit/s is 16,000 a second)`);
    second.close();
  } finally {
    feeding = false;
    await feeder;
    await listen.stop();
    server.close();
  }
});

test.run();
