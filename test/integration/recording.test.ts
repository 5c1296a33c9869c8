// test-timeout: 240
// Recording end to end through the real ALSA path (PulseAudio null sink read by arecord, real ffmpeg,
// the real engine and its HTTP API): a signal in which every lost or repeated sample shows is recorded
// as WAV, FLAC and MP3 at once, rotated by size several times, and the files are joined and checked
// sample by sample. A fourth, unrotated WAV recording of the same frames is the reference: the joined
// files must equal it exactly, so a glitch of the capture itself cannot pass for, or hide, a rotation
// fault. The reference itself must be the played signal unbroken, except exactly where the capture
// reported an overrun (arecord's "overrun!!!"), so audio the engine lost in every recorder at once fails
// too. Also: the recording API, the rotation event, 400s.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPulse, type PlayHandle, type PulseServer } from '../harness/pulse.js';
import { decodeToPcm } from '../harness/signal.js';
import { startTestEngine, type TestEngine } from '../harness/engine.js';
import { removeOnExit, sleep, waitFor } from '../harness/util.js';
import { chain, listen, rotationsOf, type SseListener } from '../engine/recording/api-helpers.js';
import { filesIn, wavData } from '../engine/recording/helpers.js';
import type { RecordingStatus } from '../../src/engine/recording/recording-types.js';
import { MAX_OVERRUN_FRAMES, type CaptureStatus } from '../../src/engine/capture/capture.js';
import type { ConsumerStats } from '../../src/engine/audio/fanout.js';
import { BUFFER_US } from '../../src/engine/capture/arecord-argv.js';
import { counterBreaks, counterContinuousAt, counterSignal } from '../harness/counter-signal.js';

const RATE = 48000;
const RECORD_MS = 56_000;

/**
 * An overrun's gap is at the frame the capture reports or a little after it: arecord prints the line after
 * writing out what it read before the gap, and part of that may still be in the pipe (64 KiB) and in one
 * ALSA buffer when the line is read.
 */
const OVERRUN_SLACK_FRAMES = (BUFFER_US / 1e6) * RATE + 65536 / 4;

let pulse: PulseServer;
let player: PlayHandle;
let t: TestEngine;
let sse: SseListener;
let root: string;
/** Capture frame of the reference recording's first frame. */
let referenceStart: number | null = null;
const ids: Record<'reference' | 'wav' | 'flac' | 'mp3', number> = { reference: 0, wav: 0, flac: 0, mp3: 0 };

test.before(async () => {
  pulse = await startPulse();
  // A 2 s server-side buffer: the player cannot underrun (insert silence) on a loaded machine, so the signal
  // reaches the sink unbroken, and a break in what was recorded is the capture's or the engine's.
  player = pulse.play(counterSignal(), { rate: RATE, channels: 2 }, { loop: true, latencyMs: 2000, countUnderruns: true });
  root = mkdtempSync(join(tmpdir(), 'rackcast-recordings-'));
  removeOnExit(root);
  t = await startTestEngine({ captureDevice: pulse.pcm, captureEnv: { ...process.env, ...pulse.env }, recordingsDir: root });
  sse = await listen(t);
});

test.after(async () => {
  sse?.close();
  await t?.stop();
  await player?.stop();
  await pulse?.stop();
});

const fileBody = (codec: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: `Archive ${codec}`,
  codec,
  output_type: 'file',
  file_output_path: `logs/${codec}`,
  file_rotation: 'by_size',
  file_max_size_mb: 1,
  file_name_template: '{datetime}-{codec}',
  ...over,
});

test('paths and templates that leave the recordings directory are refused with a 400 naming the field', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ file_output_path: '../outside' }, 'file_output_path'],
    [{ file_output_path: '/etc' }, 'file_output_path'],
    [{ file_output_path: 'a\u0000b' }, 'file_output_path'],
    [{ file_name_template: '../{date}' }, 'file_name_template'],
    [{ file_name_template: '/tmp/{date}' }, 'file_name_template'],
    [{ file_name_template: '{date}\u0007' }, 'file_name_template'],
    [{ file_name_template: '{hostname}' }, 'file_name_template'],
  ];
  for (const [over, field] of cases) {
    const r = await t.api('POST', '/api/encoders', fileBody('wav', over));
    assert.is(r.status, 400, JSON.stringify(over));
    assert.is(r.body.field, field, JSON.stringify(r.body));
  }
  const bad = await t.api('PUT', '/api/recording', { recordings_dir: 'relative/dir' });
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'recordings_dir');
  const enc = await t.api('GET', '/api/encoders');
  assert.equal(enc.body, [], 'nothing was created');
});

test('WAV, FLAC and MP3 recordings start with start-all and report their state', async () => {
  for (const codec of ['wav', 'flac', 'mp3'] as const) {
    const over = codec === 'mp3' ? { bitrate_kbps: 320 } : {};
    const r = await t.api('POST', '/api/encoders', fileBody(codec, over));
    assert.is(r.status, 201, JSON.stringify(r.body));
    ids[codec] = r.body.id;
  }
  const ref = await t.api('POST', '/api/encoders', fileBody('wav', { name: 'Reference', file_output_path: 'logs/reference', file_rotation: 'none' }));
  ids.reference = ref.body.id;
  const idle = await t.api<RecordingStatus>('GET', `/api/encoders/${ids.wav}/recording`);
  assert.is(idle.body.state, 'stopped');
  assert.ok(idle.body.storage?.present && idle.body.free_bytes! > 0, JSON.stringify(idle.body.storage));
  await waitFor(async () => (await t.api('GET', '/api/status')).body.capture.state === 'running', { timeoutMs: 10_000, what: 'capture running' });
  await sleep(1000); // the signal is playing into the sink before the first recorded frame
  const started = await t.api('POST', '/api/encoders/start-all');
  assert.equal(started.body.started.sort(), Object.values(ids).sort());
  await sleep(1500);
  const s = await t.api<RecordingStatus>('GET', `/api/encoders/${ids.wav}/recording`);
  assert.is(s.body.state, 'recording');
  assert.is(s.body.status_text, 'Recording');
  assert.match(s.body.current_file ?? '', /^logs\/wav\/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-wav\.wav$/);
  assert.ok(s.body.bytes > 100_000 && s.body.duration_secs > 0.5, JSON.stringify(s.body));
  const status = await t.api('GET', '/api/status');
  const flac = status.body.encoders.find((e: { id: number }) => e.id === ids.flac);
  assert.is(flac.status_text, 'Recording');
  assert.equal(status.body.alarms, []);
  const notFile = await t.api('POST', `/api/encoders/${ids.wav}/recording/start`);
  assert.is(notFile.status, 200, 'starting a running recording again is harmless');
  const queues = status.body.queues as ConsumerStats[];
  referenceStart = queues.find((q) => q.name === `recording:${ids.reference}`)?.startFrame ?? null;
  assert.type(referenceStart, 'number', JSON.stringify(queues));
});

test('rotated by size while the programme plays: the joined WAV and FLAC files are the captured signal, sample for sample', async () => {
  await sleep(RECORD_MS);
  const stopped = await t.api('POST', '/api/encoders/stop-all');
  assert.is(stopped.status, 200);
  const final = Object.fromEntries(
    await Promise.all(Object.entries(ids).map(async ([codec, id]) => [codec, (await t.api<RecordingStatus>('GET', `/api/encoders/${id}/recording`)).body] as const)),
  ) as Record<keyof typeof ids, RecordingStatus>;
  for (const s of Object.values(final)) {
    assert.is(s.state, 'stopped');
    assert.is(s.dropped_ms, 0, `${s.codec}: queue drops`);
    assert.is(s.not_recorded_ms, 0, `${s.codec}: ${JSON.stringify(s)}`);
  }
  const filesOf = (codec: keyof typeof ids): string[] => {
    const rot = rotationsOf(sse, ids[codec]);
    return chain(rot, rot.at(-1)?.newFile ?? '').map((rel) => join(root, rel));
  };
  assert.is(rotationsOf(sse, ids.reference).length, 0);
  const [refFile] = filesIn(join(root, 'logs/reference'), '.wav');
  const wav = wavData(refFile!); // everything captured, in one file
  assert.is(wav.length / 4 / RATE, final.reference.recorded_secs);
  // The capture itself: the signal comes through unbroken, except where the capture reported an overrun.
  // (The ALSA pulse plugin of this rig never reports one: a capture left unread for about 20 s loses audio
  // inside the sound server without a word, and fails here.)
  // The capture's status reaches the API a moment late; wait until it covers every recorded frame.
  let capture!: CaptureStatus;
  await waitFor(async () => (capture = (await t.api('GET', '/api/status')).body.capture).frames >= referenceStart! + wav.length / 4, { timeoutMs: 5000, what: 'capture status up to date' });
  assert.ok(capture.overrunFrames.length === Math.min(capture.overruns, MAX_OVERRUN_FRAMES), `every overrun's frame is listed: ${JSON.stringify(capture)}`);
  const upstream = counterBreaks(wav);
  const overrunAt = (b: number): boolean => capture.overrunFrames.some((p) => p <= referenceStart! + b && referenceStart! + b <= p + OVERRUN_SLACK_FRAMES);
  const unexplained = upstream.filter((b) => !overrunAt(b));
  assert.equal(
    unexplained,
    [],
    `the recorded signal breaks at reference frames ${unexplained.slice(0, 5).join(', ')} (capture frames ${unexplained.slice(0, 5).map((b) => referenceStart! + b).join(', ')}) where the capture reported no overrun; ` +
      `capture overruns at frames [${capture.overrunFrames.join(', ')}]; the player reported ${player.underruns} underruns`,
  );

  const wavFiles = filesOf('wav');
  const flacFiles = filesOf('flac');
  assert.ok(wavFiles.length >= 6, `${wavFiles.length} WAV files`);
  assert.ok(flacFiles.length >= 3, `${flacFiles.length} FLAC files`);
  for (const f of wavFiles.slice(0, -1)) assert.is(readFileSync(f).length, 44 + Math.floor((1024 * 1024 - 44) / 4) * 4, f);
  const rotatedWav = Buffer.concat(wavFiles.map(wavData));
  const joinsOf = (parts: Buffer[]): number[] => parts.slice(0, -1).reduce<number[]>((acc, p) => [...acc, (acc.at(-1) ?? 0) + p.length / 4], []);
  const describe = (pcm: Buffer, parts: Buffer[]): string => {
    const joins = joinsOf(parts);
    const diff = counterBreaks(pcm).filter((b) => !upstream.includes(b));
    return `${pcm.length / 4} frames vs ${wav.length / 4}; breaks not in the reference: ${diff.slice(0, 5).join(', ')}; joins: ${joins.join(', ')}`;
  };
  assert.ok(rotatedWav.equals(wav), `joined WAV files differ from the reference: ${describe(rotatedWav, wavFiles.map(wavData))}`);
  const flacParts = await Promise.all(flacFiles.map((f) => decodeToPcm(f, { seconds: 3600, rate: RATE, channels: 2 })));
  const flac = Buffer.concat(flacParts);
  assert.ok(flac.equals(wav), `joined FLAC files differ from the reference: ${describe(flac, flacParts)}`);
  // And at every join of the rotated files the signal runs on: the counter steps by exactly one.
  const joins = (pcm: Buffer, parts: Buffer[], what: string): void => {
    const at = joinsOf(parts);
    assert.ok(at.length > 0, `${what}: no joins`);
    for (const j of at) if (!upstream.includes(j)) assert.ok(counterContinuousAt(pcm, j), `${what}: the signal breaks at the join at frame ${j}`);
  };
  joins(rotatedWav, wavFiles.map(wavData), 'WAV');
  joins(flac, flacParts, 'FLAC');

  // MP3: each file decodes to exactly its audio (the LAME frame carries delay and padding), so the joined
  // decode is as long as the WAV recording and lines up with it sample for sample.
  const mp3Files = filesOf('mp3');
  assert.ok(mp3Files.length >= 2, `${mp3Files.length} MP3 files`);
  const mp3 = Buffer.concat(await Promise.all(mp3Files.map((f) => decodeToPcm(f, { seconds: 3600, rate: RATE, channels: 2 }))));
  assert.is(mp3.length, wav.length, 'decoded MP3 length');
  const snrDb = (from: number, to: number): number => {
    let e = 0;
    let s = 0;
    for (let i = from; i < to; i++) {
      const want = wav.readInt16LE(i * 4 + 2);
      e += (mp3.readInt16LE(i * 4 + 2) - want) ** 2;
      s += want * want;
    }
    return 10 * Math.log10(s / e);
  };
  // Aligned, 320k MP3 of full-scale noise decodes at about 8 dB SNR; one sample off it is below 0 dB.
  const total = wav.length / 4;
  assert.ok(snrDb(total - RATE, total) > 4, `the last second lines up: ${snrDb(total - RATE, total).toFixed(1)} dB`);
  let at = 0;
  for (const f of mp3Files.slice(0, -1)) {
    at += (await decodeToPcm(f, { seconds: 3600, rate: RATE, channels: 2 })).length / 4;
    assert.ok(snrDb(at, at + 4800) > 4, `just after the join at frame ${at}: ${snrDb(at, at + 4800).toFixed(1)} dB`);
  }

  // Every file has its cue sheet, naming its audio file.
  for (const f of [refFile!, ...wavFiles, ...flacFiles, ...mp3Files]) {
    const cue = readFileSync(f.replace(/\.(wav|flac|mp3)$/, '.cue'), 'utf8');
    assert.ok(cue.includes(`FILE "${f.split('/').pop()}"`), cue);
  }
  const log = (await t.api('GET', '/api/log?limit=500')).body as { kind: string }[];
  assert.ok(log.filter((e) => e.kind === 'recording_rotation').length >= wavFiles.length - 1);
});

test.run();
