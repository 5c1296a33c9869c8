// What the dead-air sensor costs the audio worker, and what the fallback decoder costs the box:
//
// 1. The detectors and the fallback switch as the worker runs them, 100 ms chunks of 48 kHz stereo S16
//    (the capture's period), as fast as they go: CPU per second of audio on the programme (detectors
//    only, the switch passes the chunk through), during a crossfade (every frame mixed), and on the
//    fallback (a copy out of the decoder's buffer).
// 2. The fallback decoder: the real ffmpeg child decoding an MP3 and a FLAC file in the folder, read at
//    the capture's pace for --seconds, its CPU from /proc (user + system ticks).
//
//   node --import tsx scripts/bench-dead-air.ts [--seconds N]
//
// Prints figures; never fails on timing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { INITIAL_DETECTORS, stepDetectors, type DetectorSettings } from '../src/engine/alarms/detectors.js';
import { AirSwitch } from '../src/engine/fallback/air-switch.js';
import { FallbackSource } from '../src/engine/fallback/fallback-source.js';
import { LevelMeter } from '../src/engine/audio/meters.js';
import type { PcmFormat } from '../src/engine/types.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const SECONDS = Number(values.seconds);
if (!Number.isFinite(SECONDS) || SECONDS < 2) throw new Error('--seconds must be a number ≥ 2');

const FORMAT: PcmFormat = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' };
const CHUNK_FRAMES = 4800;
const SETTINGS: DetectorSettings = { silenceThresholdDbfs: -50, silenceMs: 10_000, recoveryMs: 5000, clippingDbfs: -0.1, clippingMs: 3000 };
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function sineChunk(hz: number): Buffer {
  const b = Buffer.alloc(CHUNK_FRAMES * 4);
  for (let i = 0; i < CHUNK_FRAMES; i++) {
    const v = Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / 48000));
    b.writeInt16LE(v, i * 4);
    b.writeInt16LE(v, i * 4 + 2);
  }
  return b;
}

/** CPU µs per second of audio for `chunks` calls of `step`. */
function cpuPerAudioSecond(chunks: number, step: (i: number) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < chunks; i++) step(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ((chunks * CHUNK_FRAMES) / 48000);
}

const programme = sineChunk(1000);
const fallback = sineChunk(660);
const CHUNKS = 20_000; // 2000 s of audio per measurement

// The meter is what the capture already pays for; measured alongside for scale.
const meter = new LevelMeter(FORMAT);
const meterUs = cpuPerAudioSecond(CHUNKS, () => {
  meter.feed(programme);
  meter.read();
});
let state = INITIAL_DETECTORS;
const levels = meter.read();
const detectorsUs = cpuPerAudioSecond(CHUNKS, (i) => {
  state = stepDetectors(state, levels, i * 100, SETTINGS);
});
const sw = new AirSwitch(FORMAT, 0);
const passUs = cpuPerAudioSecond(CHUNKS, () => void sw.process(programme, () => fallback));
sw.setFadeMs(1e9); // a fade that never ends: every chunk is mixed
sw.select('fallback');
const fadeUs = cpuPerAudioSecond(CHUNKS, () => void sw.process(programme, () => fallback));
const steady = new AirSwitch(FORMAT, 0);
steady.select('fallback');
const copyUs = cpuPerAudioSecond(CHUNKS, () => void steady.process(programme, (n) => Buffer.from(fallback.subarray(0, n))));

console.log('dead-air sensor in the audio worker, per second of 48 kHz stereo S16 audio (100 ms chunks):');
console.log(`  level meter (already there, for scale)   ${meterUs.toFixed(0).padStart(6)} µs CPU`);
console.log(`  detectors (silence, lost channel, clip)  ${detectorsUs.toFixed(1).padStart(6)} µs CPU`);
console.log(`  switch on the programme (pass-through)   ${passUs.toFixed(1).padStart(6)} µs CPU`);
console.log(`  switch during a crossfade (mixing)       ${fadeUs.toFixed(0).padStart(6)} µs CPU`);
console.log(`  switch on the fallback (buffer copy)     ${copyUs.toFixed(0).padStart(6)} µs CPU`);

// --- the decoder ------------------------------------------------------------------------------------

function childTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let children = '';
    try {
      children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (!stat.includes('(ffmpeg)')) continue;
        out.set(pid, Number(fields[11]) + Number(fields[12]));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

async function decoderCpu(dir: string): Promise<{ cpuPercent: number; underrunMs: number }> {
  const source = new FallbackSource({ dir, order: 'in_order', format: FORMAT, ffmpeg: () => process.env.RACKCAST_FFMPEG || 'ffmpeg' });
  await source.start();
  await new Promise((r) => setTimeout(r, 1000)); // start-up and the first 3 s of buffer
  const ticks = new Map<number, number>();
  const sample = () => {
    for (const [pid, t] of childTicks()) ticks.set(pid, t);
  };
  sample();
  const before = new Map(ticks);
  const startMs = Date.now();
  const chunkBytes = CHUNK_FRAMES * 4;
  while (Date.now() - startMs < SECONDS * 1000) {
    source.read(chunkBytes);
    sample();
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - startMs) / 1000;
  let used = 0;
  for (const [pid, t] of ticks) used += t - (before.get(pid) ?? 0);
  const underrunMs = source.status().underrun_ms;
  await source.stop();
  return { cpuPercent: (100 * used) / CLK_TCK / seconds, underrunMs };
}

const root = mkdtempSync(join(tmpdir(), 'rackcast-bench-dead-air-'));
try {
  console.log(`fallback decoder (ffmpeg, one child per file), read at the capture's pace for ${SECONDS} s:`);
  for (const [name, args] of [
    ['MP3 192k', ['-c:a', 'libmp3lame', '-b:a', '192k', 'ident.mp3']],
    ['FLAC', ['-c:a', 'flac', 'ident.flac']],
  ] as const) {
    const dir = join(root, name.replace(/\W/g, ''));
    mkdirSync(dir);
    const gen = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=660:duration=${SECONDS + 30}:sample_rate=48000`, '-ac', '2', ...args.slice(0, -1), join(dir, args.at(-1)!)]);
    if (gen.status !== 0) throw new Error(`ffmpeg could not make the ${name} file: ${gen.stderr.toString()}`);
    const r = await decoderCpu(dir);
    console.log(`  ${name.padEnd(9)} ${r.cpuPercent.toFixed(2).padStart(6)} % of one core, ${r.underrunMs} ms padded with silence`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
