// test-timeout: 180
// Nothing on the engine's main thread can stall the audio: with three encoders streaming to a real
// Icecast (MP3, Ogg Vorbis, Opus) and a WAV recording of a signal in which every lost sample shows, the
// main event loop is blocked outright for 10 s (as a runaway regular expression, a synchronous SQLite
// write storm or a blocking open would). No encoder leaves the server, no queue drops audio, and the WAV
// is the captured signal sample for sample.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SINK_NAME, startPulse, type PulseServer } from '../harness/pulse.js';
import { startIcecast, type IcecastServer } from '../harness/icecast.js';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { counterBreaks, counterSignal } from '../harness/counter-signal.js';
import { removeOnExit, sleep, spawnTracked, stopChild, waitFor } from '../harness/util.js';
import { filesIn, wavData } from '../engine/recording/helpers.js';
import type { RecordingStatus } from '../../src/engine/recording/recording-types.js';

const BLOCK_MS = 10_000;

let pulse: PulseServer;
let player: ChildProcess;
let playerLog = '';
let icecast: IcecastServer;
let t: TestEngine;
let root: string;

test.before(async () => {
  pulse = await startPulse();
  root = mkdtempSync(join(tmpdir(), 'rackcast-isolation-'));
  removeOnExit(root);
  // pacat reads the signal from a file itself: a player fed from this process's main thread would starve
  // during the stall and break the signal before it ever reached the engine.
  const signalFile = join(root, 'signal.raw');
  writeFileSync(signalFile, Buffer.concat(Array.from({ length: 40 }, counterSignal)));
  // A deep server-side buffer rides out a loaded machine; --verbose writes "Stream underrun." to a file
  // (not a pipe this thread would have to drain) whenever the sink ran dry under the player anyway.
  playerLog = join(root, 'pacat.log');
  player = spawnTracked('pacat', ['--playback', '--raw', '--format=s16le', '--rate=48000', '--channels=2', `--device=${SINK_NAME}`, '--latency-msec=2000', '--verbose', signalFile], {
    env: { ...process.env, ...pulse.env },
    stdio: ['ignore', 'ignore', openSync(playerLog, 'w')],
  });
  icecast = await startIcecast();
  t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env }, recordingsDir: root });
});

test.after(async () => {
  await t?.stop();
  await icecast?.stop();
  if (player) await stopChild(player);
  await pulse?.stop();
});

interface IcecastSource {
  listenurl?: string;
  stream_start_iso8601?: string;
  stream_start?: string;
}

async function sourcesOnIcecast(): Promise<Map<string, string>> {
  const body = (await icecast.statusJson()) as { icestats?: { source?: IcecastSource | IcecastSource[] } };
  const raw = body.icestats?.source;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((s) => [new URL(s.listenurl ?? 'http://x/').pathname, s.stream_start_iso8601 ?? s.stream_start ?? '']));
}

test('a 10 s stall of the main thread: streams stay on the server, no queue drops, the WAV is sample-exact', async () => {
  const streams = [
    { codec: 'mp3', bitrate_kbps: 128, mount_point: '/iso.mp3' },
    { codec: 'ogg', bitrate_kbps: 128, mount_point: '/iso.ogg' },
    { codec: 'opus', bitrate_kbps: 96, mount_point: '/iso.opus' },
  ];
  const ids: number[] = [];
  for (const s of streams) {
    const r = await t.api('POST', '/api/encoders', {
      name: `Isolation ${s.codec}`, ...s, output_type: 'icecast',
      server_host: '127.0.0.1', server_port: icecast.port, server_password: icecast.sourcePassword,
    });
    assert.is(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  const wav = await t.api('POST', '/api/encoders', { name: 'Isolation WAV', codec: 'wav', output_type: 'file', file_output_path: 'iso', file_rotation: 'none' });
  assert.is(wav.status, 201, JSON.stringify(wav.body));
  await waitFor(async () => (await t.api('GET', '/api/status')).body.capture.state === 'running', { timeoutMs: 10_000, what: 'capture running' });
  await sleep(500);
  await t.api('POST', '/api/encoders/start-all');
  for (const id of ids) await t.waitForState(id, (s) => s.state === 'streaming', 20_000, 'streaming');
  await waitFor(async () => (await sourcesOnIcecast()).size === 3, { timeoutMs: 10_000, what: 'three sources on Icecast' });
  await sleep(2000);
  const before = await Promise.all(ids.map((id) => t.status(id)));
  const beforeAt = Date.now();
  const sourcesBefore = await sourcesOnIcecast();

  // The stall: the main thread sleeps in Atomics.wait, so no callback, timer or I/O of its own runs.
  const t0 = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
  const blockedMs = Date.now() - t0;
  assert.ok(blockedMs >= BLOCK_MS - 50, `blocked for ${blockedMs} ms`);

  await sleep(3000);
  const sourcesAfter = await sourcesOnIcecast();
  const after = await Promise.all(ids.map((id) => t.status(id)));
  const elapsedSecs = (Date.now() - beforeAt) / 1000;
  for (const [i, s] of after.entries()) {
    const was = before[i]!;
    assert.is(s.state, 'streaming', `${s.name}: ${s.status_text} ${s.last_error ?? ''}`);
    assert.is(s.connected_since, was.connected_since, `${s.name} never reconnected`);
    assert.is(s.reconnect_history.length, was.reconnect_history.length, `${s.name}: ${JSON.stringify(s.reconnect_history)}`);
    assert.is(s.queue.dropped_ms, 0, `${s.name}: queue drops ${JSON.stringify(s.queue)}`);
    assert.ok(s.bytes_sent > was.bytes_sent, `${s.name} kept sending`);
  }
  // The MP3 is CBR 128 kb/s: the server got the stall's audio too, not a gap (counters lag up to 0.5 s).
  const mp3Bytes = after[0]!.bytes_sent - before[0]!.bytes_sent;
  const expectedBytes = (128_000 / 8) * elapsedSecs;
  assert.ok(mp3Bytes > 0.85 * expectedBytes, `MP3 sent ${mp3Bytes} bytes in ${elapsedSecs.toFixed(1)} s, expected about ${Math.round(expectedBytes)}`);
  for (const [mount, startedAt] of sourcesBefore) {
    assert.is(sourcesAfter.get(mount), startedAt, `${mount} is the same source on Icecast (it never left)`);
  }
  const status = await t.api('GET', '/api/status');
  for (const q of status.body.queues as Array<{ name: string; droppedMs: number }>) assert.is(q.droppedMs, 0, `queue ${q.name}`);

  await sleep(1000);
  await t.api('POST', `/api/encoders/${wav.body.id}/recording/stop`);
  const rec = (await t.api<RecordingStatus>('GET', `/api/encoders/${wav.body.id}/recording`)).body;
  assert.is(rec.dropped_ms, 0, JSON.stringify(rec));
  assert.is(rec.not_recorded_ms, 0, JSON.stringify(rec));
  const files = filesIn(join(root, 'iso'), '.wav');
  assert.is(files.length, 1, `one file, no clock-step rotation: ${files.join(', ')}`);
  const pcm = wavData(files[0]!);
  const seconds = pcm.length / 4 / 48000;
  assert.ok(seconds > BLOCK_MS / 1000 + 4, `${seconds.toFixed(1)} s recorded`);
  const breaks = counterBreaks(pcm);
  const underruns = readFileSync(playerLog, 'utf8').split(/[\r\n]/).filter((l) => l.startsWith('Stream underrun.')).length;
  const capture = (await t.api('GET', '/api/status')).body.capture;
  assert.equal(breaks, [], `the recorded signal breaks at frames ${breaks.slice(0, 5).join(', ')}; the player reported ${underruns} underruns, the capture ${capture.overruns} overruns`);
  console.log(`  main thread blocked ${blockedMs} ms; MP3 sent ${mp3Bytes} of ${Math.round(expectedBytes)} bytes expected in ${elapsedSecs.toFixed(1)} s; WAV ${seconds.toFixed(1)} s, 0 breaks`);
});

test.run();
