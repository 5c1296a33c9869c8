// The audio path's thread boundary, with the real worker and the built-in tone: levels, capture status
// and relayed PCM come across; the relay holds the PCM while the main thread is stalled and stamps each
// chunk with its capture time; a crashed worker is restarted with the encoders that were on air.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AudioPath } from '../../../src/engine/audio-path/audio-path.js';
import { parseEncoderInput } from '../../../src/engine/stream/encoder-schema.js';
import type { EncoderConfig, PcmFormat } from '../../../src/engine/types.js';
import { sleep, waitFor } from '../../harness/util.js';
import { sineFiller } from '../../../src/engine/capture/paced-generator.js';

const FORMAT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const BYTES_PER_SEC = 48000 * 4;

let path: AudioPath;
test.before.each(() => {
  path = new AudioPath({ device: 'tone:440', format: FORMAT });
});
test.after.each(async () => {
  await path.shutdown();
});

test('levels and capture status come from the worker', async () => {
  let levels = 0;
  path.on('levels', (l) => {
    levels++;
    assert.ok(l.channels[0]!.peakDbfs > -20, JSON.stringify(l));
  });
  path.start();
  await waitFor(() => path.captureStatus().state === 'running', { timeoutMs: 5000, what: 'capture running' });
  await sleep(1000);
  assert.ok(levels >= 7 && levels <= 13, `${levels} levels reports in about 1 s`);
});

test('the relay runs only while the main thread has consumers, and delivers every byte', async () => {
  path.start();
  await waitFor(() => path.captureStatus().state === 'running', { timeoutMs: 5000, what: 'capture running' });
  await sleep(600);
  assert.not.ok(path.queueStats().some((q) => q.name === 'relay'), 'no relay without consumers');
  let bytes = 0;
  const consumer = path.relayed.add('recording:1', 10_000, () => {
    let c;
    while ((c = consumer.queue.shift())) bytes += c.length;
  });
  const t0 = Date.now();
  await sleep(2000);
  const secs = (Date.now() - t0) / 1000;
  assert.ok(Math.abs(bytes / BYTES_PER_SEC - secs) < 0.35, `${(bytes / BYTES_PER_SEC).toFixed(2)} s of audio in ${secs.toFixed(2)} s`);
  await sleep(600);
  assert.ok(path.queueStats().some((q) => q.name === 'relay'), JSON.stringify(path.queueStats()));
  path.relayed.remove('recording:1');
  await sleep(700);
  assert.not.ok(path.queueStats().some((q) => q.name === 'relay'), 'the relay stops with its last consumer');
});

test('a stalled main thread loses nothing: the relay holds the PCM and stamps it with its capture time', async () => {
  path.start();
  await waitFor(() => path.captureStatus().state === 'running', { timeoutMs: 5000, what: 'capture running' });
  const stamps: number[] = [];
  let bytes = 0;
  const consumer = path.relayed.add('recording:1', 10_000, () => {
    stamps.push(path.captureClockMs());
    let c;
    while ((c = consumer.queue.shift())) bytes += c.length;
  });
  await sleep(500);
  const bytesBefore = bytes;
  const stallStart = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  const stallEnd = Date.now();
  const firstAfter = stamps.length;
  await sleep(1500);
  const got = (bytes - bytesBefore) / BYTES_PER_SEC;
  const wall = (Date.now() - stallStart) / 1000;
  assert.ok(got > wall - 0.4, `${got.toFixed(2)} s of audio arrived for ${wall.toFixed(2)} s of wall time`);
  assert.is(consumer.queue.droppedBytes, 0);
  const duringStall = stamps.slice(firstAfter).filter((s) => s >= stallStart && s <= stallEnd - 500);
  assert.ok(duringStall.length >= 15, `chunks captured during the stall keep their capture times (${duringStall.length})`);
  assert.ok(path.queueStats().every((q) => q.droppedMs === 0), JSON.stringify(path.queueStats()));
});

test("a relayed consumer knows the capture frame it started at: its frame n is the capture's frame startFrame + n", async () => {
  // A 997 Hz tone repeats only every 48000 frames, so its samples tell the capture frame they were made at.
  path = new AudioPath({ device: 'tone:997', format: FORMAT });
  path.start();
  await waitFor(() => path.captureStatus().state === 'running', { timeoutMs: 5000, what: 'capture running' });
  await sleep(700);
  const chunks: Buffer[] = [];
  const consumer = path.relayed.add('recording:1', 10_000, () => {
    let c;
    while ((c = consumer.queue.shift())) chunks.push(Buffer.from(c));
  });
  await sleep(1000);
  const start = path.relayed.stats().find((q) => q.name === 'recording:1')?.startFrame;
  path.relayed.remove('recording:1');
  assert.type(start, 'number');
  const got = Buffer.concat(chunks);
  const expected = Buffer.alloc(got.length);
  sineFiller(FORMAT, 997)(expected, start!, got.length / 4);
  assert.ok(start! >= 0.5 * 48000, `the capture ran ${start} frames before the consumer came`);
  assert.ok(got.length / 4 > 0.5 * 48000 && got.equals(expected), `${got.length / 4} frames relayed, the tone from capture frame ${start}`);
  await waitFor(() => path.captureStatus().frames >= start! + got.length / 4, { timeoutMs: 2000, what: 'capture status counting those frames' });
});

test('a crashed worker is restarted, and the encoders that were on air start again', async () => {
  const parsed = parseEncoderInput({ name: 'Nowhere', codec: 'mp3', bitrate_kbps: 64, output_type: 'icecast', server_host: '127.0.0.1', server_port: 1, server_password: 'x', mount_point: '/x.mp3', reconnect_delay_secs: 1 });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const config = { ...(parsed as { value: object }).value, id: 7 } as EncoderConfig;
  const states: string[] = [];
  path.on('runner_status', (s) => states.push(s.state));
  const crashes: string[] = [];
  path.on('crashed', (why) => crashes.push(why));
  path.start();
  const runner = path.runner(config, () => 'x');
  runner.start();
  assert.ok(runner.active, 'active as soon as it is started');
  await waitFor(() => states.includes('retrying'), { timeoutMs: 15_000, what: 'retrying (nothing listens on port 1)' });
  await path.simulateCrash();
  assert.is(crashes.length, 1);
  assert.is(path.captureStatus().state, 'no_input', 'the outage shows in the capture status');
  const seen = states.length;
  await waitFor(() => path.captureStatus().state === 'running', { timeoutMs: 5000, what: 'capture running again' });
  await waitFor(() => states.slice(seen).includes('connecting'), { timeoutMs: 5000, what: 'the encoder started again' });
  await runner.stop();
  await sleep(300);
  assert.is(runner.state.name, 'disabled');
  assert.not.ok(runner.active);
});

test.run();
