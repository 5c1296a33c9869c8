// The Capture class on real parts: real arecord against a missing card, the built-in tone, and a
// real ALSA PCM (PulseAudio null sink through the ALSA pulse plugin) that vanishes under arecord
// and comes back. Proves the issue's promise: the engine stays up, shows "no input", feeds
// real-time silence, and reopens the device with back-off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Capture, type CaptureStatus } from '../../../src/engine/capture/capture.js';
import { bytesPerFrame, type PcmFormat } from '../../../src/engine/types.js';
import { startPulse, type PlayHandle, type PulseServer } from '../../harness/pulse.js';
import { dominantFrequency, sinePcm } from '../../harness/signal.js';
import { sleep, waitFor } from '../../harness/util.js';

const SINE_HZ = 997;
const S16_STEREO_48K: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const S16_MONO_44K: PcmFormat = { sampleRate: 44100, channels: 1, sampleFormat: 'S16_LE' };
const S32_STEREO_48K: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S32_LE' };
const S32_MONO_44K: PcmFormat = { sampleRate: 44100, channels: 1, sampleFormat: 'S32_LE' };
const MINUS_12_DBFS = 10 ** (-12 / 20);

/** Chunks and status changes in the order the capture produced them (seq orders them exactly). */
interface Chunk {
  seq: number;
  at: number;
  buf: Buffer;
}
interface StatusEvent {
  seq: number;
  at: number;
  status: CaptureStatus;
}

interface Recording {
  capture: Capture;
  format: PcmFormat;
  chunks: Chunk[];
  statuses: StatusEvent[];
  stop(): Promise<void>;
}

const open = new Set<Recording>();
let pulse: PulseServer | undefined;
let player: PlayHandle | undefined;

function record(device: string, format: PcmFormat, opts: { env?: NodeJS.ProcessEnv; stallMs?: number } = {}): Recording {
  let seq = 0;
  const chunks: Chunk[] = [];
  const statuses: StatusEvent[] = [];
  const capture = new Capture({
    device,
    format,
    env: opts.env,
    stallMs: opts.stallMs,
    onChunk: (buf) => chunks.push({ seq: seq++, at: performance.now(), buf }),
    onStatus: (status) => statuses.push({ seq: seq++, at: performance.now(), status }),
  });
  const rec: Recording = {
    capture,
    format,
    chunks,
    statuses,
    async stop() {
      open.delete(rec);
      await capture.stop();
    },
  };
  open.add(rec);
  capture.start();
  return rec;
}

function pulseServer(): PulseServer {
  if (!pulse) throw new Error('pulse not started (test.before failed)');
  return pulse;
}

function pulseEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...pulseServer().env };
}

function playSine(): PlayHandle {
  return pulseServer().play(sinePcm({ freqHz: SINE_HZ, seconds: 1, rate: 48000, channels: 2, amplitude: 0.5 }), { rate: 48000, channels: 2 }, { loop: true });
}

async function waitForState(rec: Recording, state: CaptureStatus['state'], timeoutMs: number, error?: string): Promise<number> {
  try {
    await waitFor(() => rec.capture.status().state === state && (error === undefined || rec.capture.status().error === error), { timeoutMs, intervalMs: 10 });
  } catch {
    throw new Error(`capture of ${rec.capture.status().device}: no state ${state}${error ? ` (${error})` : ''} within ${timeoutMs} ms; now ${JSON.stringify(rec.capture.status())}`);
  }
  return performance.now();
}

/** Bytes of the chunks that arrived in (from, to]. */
function bytesBetween(rec: Recording, from: number, to: number): number {
  return rec.chunks.filter((c) => c.at > from && c.at <= to).reduce((n, c) => n + c.buf.length, 0);
}

/** Counts delivered bytes over `seconds` of wall time and compares with the format's real-time rate. */
async function assertRealTimeRate(rec: Recording, seconds: number, what: string): Promise<void> {
  const from = performance.now();
  await sleep(seconds * 1000);
  const to = performance.now();
  const got = bytesBetween(rec, from, to);
  const expected = (rec.format.sampleRate * bytesPerFrame(rec.format) * (to - from)) / 1000;
  const ratio = got / expected;
  assert.ok(ratio > 0.85 && ratio < 1.15, `${what}: ${got} bytes in ${(to - from).toFixed(0)} ms, ${(ratio * 100).toFixed(1)} % of real time`);
}

function concatAfter(rec: Recording, from: number): Buffer {
  return Buffer.concat(rec.chunks.filter((c) => c.at > from).map((c) => c.buf));
}

/** One channel as floats in [-1, 1), whatever the sample format. */
function channel(pcm: Buffer, format: PcmFormat, ch = 0): Float32Array {
  const sampleBytes = format.sampleFormat === 'S16_LE' ? 2 : 4;
  const frames = Math.floor(pcm.length / (sampleBytes * format.channels));
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const off = (i * format.channels + ch) * sampleBytes;
    out[i] = sampleBytes === 2 ? pcm.readInt16LE(off) / 32768 : pcm.readInt32LE(off) / 2147483648;
  }
  return out;
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

function isAllZero(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

/** Longest wait between two chunk arrivals in (from, to]. */
function maxGapMs(rec: Recording, from: number, to: number): number {
  let prev = from;
  let gap = 0;
  for (const c of rec.chunks) {
    if (c.at <= from || c.at > to) continue;
    gap = Math.max(gap, c.at - prev);
    prev = c.at;
  }
  return Math.max(gap, to - prev);
}

/** The capture's states in order, consecutive repeats folded. */
function stateSequence(rec: Recording): string[] {
  const out: string[] = [];
  for (const s of rec.statuses) if (out[out.length - 1] !== s.status.state) out.push(s.status.state);
  return out;
}

/** Asserts that what arrived after `from` is the playing sine, on every channel, in the right format. */
function assertSine(rec: Recording, from: number, what: string): void {
  const pcm = concatAfter(rec, from);
  assert.is(pcm.length % bytesPerFrame(rec.format), 0, `${what}: whole frames only`);
  const seconds = pcm.length / bytesPerFrame(rec.format) / rec.format.sampleRate;
  assert.ok(seconds >= 0.5, `${what}: only ${seconds.toFixed(2)} s captured`);
  for (let ch = 0; ch < rec.format.channels; ch++) {
    const samples = channel(pcm, rec.format, ch);
    const level = rms(samples);
    // A 0.5 full-scale sine has an RMS of 0.354; the ALSA plugin and resampler keep the level.
    assert.ok(level > 0.3 && level < 0.4, `${what}: channel ${ch} RMS ${level.toFixed(4)}`);
    const f = dominantFrequency(samples, rec.format.sampleRate);
    assert.ok(Math.abs(f - SINE_HZ) < 2, `${what}: channel ${ch} dominant frequency ${f.toFixed(2)} Hz`);
  }
}

test.before(async () => {
  pulse = await startPulse();
});

test.after(async () => {
  await Promise.all([...open].map((r) => r.stop()));
  if (pulse?.pid) process.kill(pulse.pid, 'SIGCONT'); // in case a failed test left it frozen
  await player?.stop();
  await pulse?.stop();
});

test('a missing card ("hw:7,0"): no_input with the reason, real-time silence, arecord retried with doubling back-off', async () => {
  const rec = record('hw:7,0', S16_STEREO_48K);
  const t0 = performance.now();
  const restartTimes: number[] = [];
  let lastRestarts = 0;
  const poll = setInterval(() => {
    const n = rec.capture.status().restarts;
    if (n !== lastRestarts) {
      for (let i = lastRestarts; i < n; i++) restartTimes.push(performance.now() - t0);
      lastRestarts = n;
    }
  }, 10);
  try {
    await waitForState(rec, 'no_input', 2000, 'sound card "hw:7,0" not found');
    await sleep(200);
    await assertRealTimeRate(rec, 1.5, 'silence for a missing card');
    await sleep(4200 - (performance.now() - t0));
  } finally {
    clearInterval(poll);
  }
  const status = rec.capture.status();
  await rec.stop();
  assert.is(status.state, 'no_input');
  assert.is(status.error, 'sound card "hw:7,0" not found');
  assert.not.ok(rec.statuses.some((s) => s.status.state === 'running'), 'never reported running');
  assert.ok(rec.chunks.length > 40, `${rec.chunks.length} chunks in 4 s`);
  assert.ok(rec.chunks.every((c) => isAllZero(c.buf)), 'every chunk is digital silence');
  assert.ok(rec.chunks.every((c) => c.buf.length % 4 === 0), 'whole S16 stereo frames');
  // Launches at 0, 0.5, 1.5, 3.5 s (500 ms doubling): 4 restarts in 4.2 s; without back-off it would be dozens.
  assert.ok(status.restarts >= 2 && status.restarts <= 5, `restarts after 4.2 s: ${status.restarts} (${restartTimes.map((t) => t.toFixed(0)).join(', ')} ms)`);
  const gaps = restartTimes.slice(1).map((t, i) => t - restartTimes[i]!);
  assert.ok(gaps.length >= 2, `restart times ${restartTimes.join(', ')}`);
  assert.ok(gaps[0]! >= 400 && gaps[0]! < 900, `first retry after ${gaps[0]} ms (back-off starts at 500 ms)`);
  for (let i = 1; i < gaps.length; i++) {
    assert.ok(gaps[i]! > 1.6 * gaps[i - 1]!, `back-off doubles: gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
  }
});

test('a PCM name that does not exist: no_input naming it, silence flows', async () => {
  const rec = record('rackcast_no_such_pcm', S16_MONO_44K);
  await waitForState(rec, 'no_input', 2000, 'sound card "rackcast_no_such_pcm" not found');
  await assertRealTimeRate(rec, 1, 'silence for a missing PCM');
  await rec.stop();
  assert.ok(rec.chunks.length > 0 && rec.chunks.every((c) => isAllZero(c.buf)), 'silence');
  assert.is(rec.statuses.at(-1)?.status.state, 'stopped');
});

test('tone:440 delivers a real-time -12 dBFS sine, 48 kHz S16 stereo', async () => {
  const rec = record('tone:440', S16_STEREO_48K);
  assert.equal({ state: rec.capture.status().state, error: rec.capture.status().error, restarts: rec.capture.status().restarts }, { state: 'running', error: null, restarts: 0 });
  const t0 = performance.now();
  await sleep(100);
  await assertRealTimeRate(rec, 1.2, 'tone S16 stereo');
  await rec.stop();
  const pcm = concatAfter(rec, t0);
  for (const ch of [0, 1]) {
    const samples = channel(pcm, S16_STEREO_48K, ch);
    const f = dominantFrequency(samples, 48000);
    assert.ok(Math.abs(f - 440) < 1, `channel ${ch}: ${f} Hz`);
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    assert.ok(Math.abs(peak - MINUS_12_DBFS) < 0.01, `channel ${ch} peak ${peak}`);
  }
  assert.not.ok(isAllZero(pcm), 'not silent');
});

test('tone at 44.1 kHz S32_LE mono: S32 samples at -12 dBFS of S32 full scale', async () => {
  const rec = record('tone:1000', S32_MONO_44K);
  assert.is(rec.capture.status().state, 'running');
  await sleep(100);
  await assertRealTimeRate(rec, 1.2, 'tone S32 mono');
  await rec.stop();
  const pcm = Buffer.concat(rec.chunks.map((c) => c.buf));
  assert.ok(rec.chunks.every((c) => c.buf.length % 4 === 0), 'whole 4-byte frames');
  let peak = 0;
  for (let off = 0; off < pcm.length; off += 4) peak = Math.max(peak, Math.abs(pcm.readInt32LE(off)));
  const expected = 0.25 * 2147483647;
  assert.ok(Math.abs(peak - expected) / expected < 0.001, `peak sample ${peak}, expected about ${Math.round(expected)}`);
  const dbfs = 20 * Math.log10(peak / 2147483648);
  assert.ok(Math.abs(dbfs - -12.04) < 0.05, `peak ${dbfs.toFixed(3)} dBFS`);
  const f = dominantFrequency(channel(pcm, S32_MONO_44K), 44100);
  assert.ok(Math.abs(f - 1000) < 1, `${f} Hz`);
});

for (const [label, format] of [
  ['48 kHz S16 stereo', S16_STEREO_48K],
  ['44.1 kHz S16 mono', S16_MONO_44K],
  ['48 kHz S32 stereo', S32_STEREO_48K],
] as const) {
  test(`real capture from the pulse PCM, ${label}: running, the playing sine, real-time rate`, async () => {
    player ??= playSine();
    const rec = record(pulseServer().pcm, format, { env: pulseEnv() });
    const runningAt = await waitForState(rec, 'running', 3000);
    await sleep(300);
    const from = performance.now();
    await assertRealTimeRate(rec, 1.5, `pulse ${label}`);
    const status = rec.capture.status();
    await rec.stop();
    assert.equal({ state: status.state, error: status.error, restarts: status.restarts }, { state: 'running', error: null, restarts: 0 });
    assert.ok(runningAt > 0);
    assertSine(rec, from, label);
    if (format.sampleFormat === 'S32_LE') {
      // Real 32-bit samples, not 16-bit values in a wide container.
      const pcm = concatAfter(rec, from);
      let peak = 0;
      for (let off = 0; off < pcm.length; off += 4) peak = Math.max(peak, Math.abs(pcm.readInt32LE(off)));
      assert.ok(peak > 0.45 * 2 ** 31 && peak < 0.55 * 2 ** 31, `S32 peak ${peak}`);
    }
  });
}

test('the device vanishes under arecord (sound server stopped): no_input, unbroken silence, reopened by itself', async () => {
  const p = pulseServer();
  player ??= playSine();
  const rec = record(p.pcm, S16_STEREO_48K, { env: pulseEnv() });
  await waitForState(rec, 'running', 3000);
  await sleep(400);
  const stopAt = performance.now();
  await p.stop(); // takes the player with it
  player = undefined;
  const lostAt = await waitForState(rec, 'no_input', 3000);
  assert.ok(lostAt - stopAt < 3000, `no_input after ${(lostAt - stopAt).toFixed(0)} ms`);
  const lost = rec.capture.status();
  assert.match(lost.error ?? '', /^sound card "pulse" (stopped delivering audio|not reachable|not found)/, `a plain reason naming the device: ${lost.error}`);
  await sleep(1500);
  await p.start(); // same socket path: the PCM "pulse" exists again
  player = playSine();
  const backAt = await waitForState(rec, 'running', 12_000);
  await sleep(1200);
  const endAt = performance.now();
  const status = rec.capture.status();
  await rec.stop();

  assert.equal(stateSequence(rec).slice(0, 4), ['opening', 'running', 'no_input', 'running'], 'opening → running → no input → running');
  assert.ok(status.restarts >= 2, `arecord was reopened ${status.restarts} times`);
  assert.ok(maxGapMs(rec, stopAt, endAt) < 200, `longest gap between chunks ${maxGapMs(rec, stopAt, endAt).toFixed(0)} ms`);
  // Between "no input" and "running" only the silence filler speaks: all zeros, at the real-time rate.
  const lostSeq = rec.statuses.find((s) => s.at >= stopAt && s.status.state === 'no_input')!;
  const backSeq = rec.statuses.find((s) => s.seq > lostSeq.seq && s.status.state === 'running')!;
  const silence = rec.chunks.filter((c) => c.seq > lostSeq.seq && c.seq < backSeq.seq);
  const silenceMs = silence.reduce((n, c) => n + c.buf.length, 0) / (48 * 4);
  assert.ok(silenceMs >= 1000, `${silenceMs.toFixed(0)} ms of audio while there was no input`);
  assert.ok(silence.every((c) => isAllZero(c.buf)), 'silence while there was no input');
  const silenceBytes = silence.reduce((n, c) => n + c.buf.length, 0);
  const expected = ((backSeq.at - lostSeq.at) * 48000 * 4) / 1000;
  assert.ok(Math.abs(silenceBytes / expected - 1) < 0.15, `silence: ${silenceBytes} bytes over ${(backSeq.at - lostSeq.at).toFixed(0)} ms (${((silenceBytes / expected) * 100).toFixed(1)} % of real time)`);
  assert.ok(backAt - stopAt < 12_000);
  assertSine(rec, backAt + 300, 'after the reopen');
});

test('a frozen sound server (arecord blocked, no exit): the stall watchdog declares no_input and reopens', async () => {
  const p = pulseServer();
  player ??= playSine();
  const rec = record(p.pcm, S16_STEREO_48K, { env: pulseEnv(), stallMs: 1000 });
  await waitForState(rec, 'running', 3000);
  await sleep(300);
  const pid = p.pid;
  assert.ok(pid, 'daemon pid');
  const frozenAt = performance.now();
  process.kill(pid, 'SIGSTOP');
  let thawedAt: number;
  try {
    // The watchdog looks once a second; the PCM may still hand out what it had buffered.
    const lostAt = await waitForState(rec, 'no_input', 4000);
    assert.ok(lostAt - frozenAt < 3000, `no_input after ${(lostAt - frozenAt).toFixed(0)} ms`);
    assert.is(rec.capture.status().error, 'sound card "pulse" stopped delivering audio (no data for 1 s)');
    await sleep(1000);
  } finally {
    process.kill(pid, 'SIGCONT');
    thawedAt = performance.now();
  }
  const backAt = await waitForState(rec, 'running', 8000);
  await sleep(1000);
  const status = rec.capture.status();
  await rec.stop();
  // Silence flowed from the watchdog's verdict until the thaw.
  const lostEvent = rec.statuses.find((s) => s.at >= frozenAt && s.status.state === 'no_input')!;
  const silence = rec.chunks.filter((c) => c.seq > lostEvent.seq && c.at < thawedAt);
  assert.ok(silence.length >= 5 && silence.every((c) => isAllZero(c.buf)), `${silence.length} silent chunks while frozen`);
  const silenceBytes = silence.reduce((n, c) => n + c.buf.length, 0);
  const expected = ((thawedAt - lostEvent.at) * 48000 * 4) / 1000;
  assert.ok(Math.abs(silenceBytes / expected - 1) < 0.15, `silence while frozen: ${silenceBytes} bytes over ${(thawedAt - lostEvent.at).toFixed(0)} ms`);
  assert.ok(maxGapMs(rec, lostEvent.at, thawedAt) < 200, 'no gap once no_input is declared');
  assert.ok(status.restarts >= 1, `restarts ${status.restarts}`);
  assertSine(rec, backAt + 300, 'after the thaw');
});

test.run();
